-- Migration 0022: what a sign-off froze (audits.signed): the PDF exactly as signed (its bytes
-- and their SHA-256) and the basis of the report (run, every story with its status, decision,
-- tags and stances, each standard's shown rating) as JSON, so that a later change can be named.
-- One row per sign-off (provider_id, period, run_id, signed_at match the signoffs row).

CREATE TABLE signed_reports (
    provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, run_id VARCHAR NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    pdf BLOB NOT NULL, pdf_sha256 VARCHAR NOT NULL,
    basis_json VARCHAR NOT NULL, basis_sha256 VARCHAR NOT NULL
);

-- Migration 0009 (issue 15, a fresh audit's start): standards files already checked, kept in
-- the store. Reading a standards file afresh (two YAML passes, the model, a trial run of every
-- measure on an in-memory store) costs most of a second for the dozen files every audit reads;
-- an audit that finds a file's row here only validates the stored standard with the model
-- again (its field rules and the expression whitelist). A row is keyed by the sha256 of the
-- file's bytes and by a key of the code that checked it (every audits/**/*.py and migration,
-- and the versions of the libraries that read and check a file): a changed file, a changed
-- tool or library never finds a row. Only files that passed every check are kept, written in
-- the audit's own write transaction (audits.standard_files, audits.runs). Not part of the
-- audit record: rows of another code key are dropped when new ones are written.

CREATE TABLE standard_cache (
    sha256 VARCHAR NOT NULL,             -- of the standards file's bytes
    code_key VARCHAR NOT NULL,           -- audits.standard_files.code_key() of the code that checked it
    body_json VARCHAR NOT NULL,          -- the Standard as checked (model_dump_json, fields as set)
    checked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (sha256, code_key)
);

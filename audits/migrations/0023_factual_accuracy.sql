-- Migration 0023: the draft shared with a provider and its factual accuracy check
-- (audits.drafts, audits.factcheck), and the provider's reply published with the audit.
-- Append-only with who and when; a draft's closed_by/closed_at are set once, when the provider
-- says it has no more comments.

CREATE TABLE drafts (
    draft_id VARCHAR PRIMARY KEY, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL, shared_by VARCHAR NOT NULL, shared_at TIMESTAMP NOT NULL,
    due_on DATE NOT NULL,                 -- the last day the provider may comment
    pdf BLOB NOT NULL, pdf_sha256 VARCHAR NOT NULL,
    closed_by VARCHAR, closed_at TIMESTAMP -- the provider said it has no more comments
);

CREATE TABLE factual_comments (
    comment_id VARCHAR PRIMARY KEY, draft_id VARCHAR NOT NULL,
    provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
    standard_id VARCHAR NOT NULL, measure_id VARCHAR,   -- a measure of the standard, or the standard as a whole
    comment VARCHAR NOT NULL,
    file_name VARCHAR, file_type VARCHAR, file_bytes BLOB, file_sha256 VARCHAR,
    commented_by VARCHAR NOT NULL, commented_at TIMESTAMP NOT NULL
);

CREATE TABLE factual_answers (
    comment_id VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,            -- accepted (the change made) or not_accepted (the reasons)
    answer VARCHAR NOT NULL, answered_by VARCHAR NOT NULL, answered_at TIMESTAMP NOT NULL
);

CREATE TABLE provider_replies (
    provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
    reply VARCHAR NOT NULL, replied_by VARCHAR NOT NULL, replied_at TIMESTAMP NOT NULL
);

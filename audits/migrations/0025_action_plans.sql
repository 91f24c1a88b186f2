-- Migration 0025: action plans (audits.actions). For a standard rated Partly met or Not met the
-- provider proposes actions; each proposal is a new version of the action; the commissioner
-- agrees or asks again; later the provider says when it is done. Append-only, with who and when.

CREATE TABLE actions (
    action_id VARCHAR NOT NULL, version INTEGER NOT NULL,
    provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, standard_id VARCHAR NOT NULL,
    what VARCHAR NOT NULL, owner VARCHAR NOT NULL, due_on DATE NOT NULL, noticed VARCHAR NOT NULL,
    proposed_by VARCHAR NOT NULL, proposed_at TIMESTAMP NOT NULL
);

CREATE TABLE action_reviews (
    action_id VARCHAR NOT NULL, version INTEGER NOT NULL,
    decision VARCHAR NOT NULL,           -- agreed or asked_again
    note VARCHAR, reviewed_by VARCHAR NOT NULL, reviewed_at TIMESTAMP NOT NULL
);

CREATE TABLE action_progress (
    action_id VARCHAR NOT NULL, done_on DATE, note VARCHAR NOT NULL,
    reported_by VARCHAR NOT NULL, reported_at TIMESTAMP NOT NULL
);

-- Migration 0050: the standards workshop keeps every version of a standard that a group saves
-- or approves, with who and when, and every approval with the names of the people who gave it
-- (audits.workshop, audits.versions). Append-only: nothing here is ever updated or deleted.

CREATE TABLE standard_versions (
    standard_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    status VARCHAR NOT NULL,             -- draft (saved in the workshop) or approved
    body_yaml VARCHAR NOT NULL,          -- the file exactly as saved
    sha256 VARCHAR NOT NULL,             -- of body_yaml, UTF-8
    saved_by VARCHAR NOT NULL,           -- the account's username, or the name given on the command line
    saved_by_name VARCHAR,               -- the account's display name at the time
    saved_at TIMESTAMP NOT NULL,
    note VARCHAR                         -- what changed, in the person's own words (optional)
);

CREATE TABLE standard_approvals (
    standard_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    sha256 VARCHAR NOT NULL,             -- of the draft that was approved: a later change needs new approvals
    how VARCHAR NOT NULL,                -- 'account': one expert citizen approved; 'meeting': a group meeting did
    username VARCHAR,                    -- 'account': the expert citizen's account
    names_json VARCHAR NOT NULL,         -- the names: the account's display name, or everyone present
    group_name VARCHAR,                  -- 'meeting': the group that met
    meeting_on DATE,                     -- 'meeting': the day it met
    recorded_by VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);

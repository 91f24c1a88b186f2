-- Migration 0020: settings of the audit that every output must agree on (audits.settings),
-- such as how many confirming stories a green needs and how many working days a provider has
-- to check a draft. Append-only: the latest row of a name wins, kept with who and when.

CREATE TABLE settings (
    name VARCHAR NOT NULL, value VARCHAR NOT NULL, set_by VARCHAR NOT NULL, set_at TIMESTAMP NOT NULL
);

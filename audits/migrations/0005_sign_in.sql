-- Migration 0005: sign-in attempts, kept in the store so a lockout holds across browser
-- sessions, reloads and server restarts (by the username typed and by the address it came
-- from; never the password), and accounts that can be disabled without being deleted (their
-- sign-offs and decisions keep naming them).

CREATE TABLE sign_in_attempts (
    username VARCHAR NOT NULL,           -- as typed, lower case
    address VARCHAR,                     -- the browser's address as the server saw it
    attempted_at TIMESTAMP NOT NULL,
    succeeded BOOLEAN NOT NULL
);

ALTER TABLE accounts ADD COLUMN disabled_at TIMESTAMP;

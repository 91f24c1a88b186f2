-- Migration 0011 (disclosure control): the public results of each audit run, worked out once
-- (audits.disclosure.protect) and kept, so that every public output shows the same cells; and
-- the releases: which run's public results a quarter publishes. Append-only, like the runs.

CREATE TABLE public_results (
    run_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
    standard_id VARCHAR NOT NULL, standard_version INTEGER NOT NULL, measure_id VARCHAR NOT NULL,
    numerator DOUBLE, denominator DOUBLE, value DOUBLE, ci_lower DOUBLE, ci_upper DOUBLE,
    rating VARCHAR NOT NULL,             -- green, amber, red, no_data; green_amber, amber_red, withheld
    numerator_rows BIGINT, denominator_rows BIGINT,
    benchmark DOUBLE,                    -- pooled over the providers whose figures are shown
    comparison VARCHAR,                  -- with that benchmark
    uncertain BOOLEAN,                   -- the shown interval reaches across a bar (false when hidden)
    hidden VARCHAR NOT NULL,             -- '' nothing, 'numerator' (and value, interval), 'all'
    reason VARCHAR NOT NULL              -- '' , 'small' (1-4 people), 'linked', 'earlier'
);

CREATE TABLE public_standard_results (
    run_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
    standard_id VARCHAR NOT NULL, standard_version INTEGER NOT NULL,
    rating VARCHAR NOT NULL              -- from the measures' public ratings
);

CREATE TABLE releases (
    release_id VARCHAR PRIMARY KEY, period VARCHAR NOT NULL, run_id VARCHAR NOT NULL,
    released_at TIMESTAMP NOT NULL, released_by VARCHAR,
    how VARCHAR NOT NULL,                -- what released it: 'export', 'publish', 'release'
    supersedes VARCHAR                   -- the release it replaces, when the auditor superseded one
);

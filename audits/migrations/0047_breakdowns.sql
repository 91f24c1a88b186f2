-- Migration 0047 (dashboard, issue 12 item 4): each people measure of a run broken down by sex,
-- age band and ethnic group (audits.breakdowns), exact, and as it may be published
-- (audits.disclosure_breakdowns: worked out once, with the run). Append-only, like the runs.
-- grp is the specification's code of the group ('female', '25-34', 'black', 'not_stated').

CREATE TABLE breakdowns (
    run_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
    standard_id VARCHAR NOT NULL, measure_id VARCHAR NOT NULL,
    dimension VARCHAR NOT NULL,          -- sex, age_band, ethnicity
    grp VARCHAR NOT NULL,
    numerator DOUBLE, denominator DOUBLE, value DOUBLE, ci_lower DOUBLE, ci_upper DOUBLE,
    numerator_rows BIGINT, denominator_rows BIGINT,
    comparison VARCHAR NOT NULL          -- with the provider's whole figure: similar, better, worse,
                                         -- higher, lower, not_compared
);

CREATE TABLE public_breakdowns (
    run_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
    standard_id VARCHAR NOT NULL, measure_id VARCHAR NOT NULL,
    dimension VARCHAR NOT NULL, grp VARCHAR NOT NULL,
    numerator DOUBLE, denominator DOUBLE, value DOUBLE, ci_lower DOUBLE, ci_upper DOUBLE,
    numerator_rows BIGINT, denominator_rows BIGINT,
    comparison VARCHAR NOT NULL,         -- 'not_compared' when the figure is hidden
    hidden VARCHAR NOT NULL,             -- '' nothing, 'numerator' (and value, interval), 'all'
    reason VARCHAR NOT NULL              -- '', 'small' (1-4 people), 'linked', 'earlier'
);

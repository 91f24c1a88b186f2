-- Migration 0001: the first schema (shipped with the first landing, schema version 1).
-- Frozen text: never edit a migration that has shipped; add a new file instead.
-- Data tables have the columns of the provider-return specification version 1,
-- prefixed by submission_id, provider_id, period and line (the spreadsheet line).

CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE TABLE periods (period VARCHAR PRIMARY KEY, period_start DATE NOT NULL, period_end DATE NOT NULL);

CREATE TABLE providers (provider_id VARCHAR PRIMARY KEY, provider_name VARCHAR, area VARCHAR);

CREATE TABLE submissions (
    submission_id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,               -- 'return' or 'pack'
    provider_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    provider_name VARCHAR, area VARCHAR, submitted_on DATE, gathered_by VARCHAR,
    source VARCHAR,                      -- the path or upload name it came from
    form VARCHAR,                        -- folder, zip or xlsx
    sha256 VARCHAR,                      -- of the whole submission (files in name order)
    loaded_at TIMESTAMP NOT NULL,
    loaded_by VARCHAR,
    is_current BOOLEAN NOT NULL,
    replaced_by VARCHAR, replaced_at TIMESTAMP,
    rows_loaded INTEGER, rows_quarantined INTEGER,
    report_json VARCHAR                  -- the validation report (problems, grouped)
);

CREATE TABLE submission_files (submission_id VARCHAR NOT NULL, file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, bytes BIGINT);

CREATE TABLE quarantine (
    submission_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL, file_name VARCHAR NOT NULL, line INTEGER NOT NULL,
    key_value VARCHAR, reasons VARCHAR NOT NULL, row_json VARCHAR NOT NULL
);

CREATE TABLE episodes (submission_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, line INTEGER NOT NULL, "episode_id" VARCHAR, "person_id" VARCHAR, "referral_date" DATE, "first_contact_date" DATE, "first_intervention_date" DATE, "discharge_date" DATE, "discharge_reason" VARCHAR, "substance_group" VARCHAR, "sex" VARCHAR, "age_band" VARCHAR, "ethnicity" VARCHAR, "assessments" INTEGER, "choice_offered" BOOLEAN, "peer_support_offered" BOOLEAN, "mental_health_need" BOOLEAN, "mental_health_support" BOOLEAN, "housing_need" VARCHAR, "housing_support" BOOLEAN, "aftercare_offered" BOOLEAN, "representation" BOOLEAN, "restarted_from_scratch" BOOLEAN);

CREATE VIEW cur_episodes AS SELECT t.submission_id, t.provider_id, t.period, t.line, t."episode_id", t."person_id", t."referral_date", t."first_contact_date", t."first_intervention_date", t."discharge_date", t."discharge_reason", t."substance_group", t."sex", t."age_band", t."ethnicity", t."assessments", t."choice_offered", t."peer_support_offered", t."mental_health_need", t."mental_health_support", t."housing_need", t."housing_support", t."aftercare_offered", t."representation", t."restarted_from_scratch", p.period_start, p.period_end FROM episodes t JOIN submissions s ON s.submission_id = t.submission_id AND s.is_current JOIN periods p ON p.period = t.period;

CREATE TABLE contacts (submission_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, line INTEGER NOT NULL, "contact_id" VARCHAR, "episode_id" VARCHAR, "contact_date" DATE, "mode" VARCHAR, "outcome" VARCHAR, "after_missed" VARCHAR, "staff_role" VARCHAR);

CREATE VIEW cur_contacts AS SELECT t.submission_id, t.provider_id, t.period, t.line, t."contact_id", t."episode_id", t."contact_date", t."mode", t."outcome", t."after_missed", t."staff_role", p.period_start, p.period_end FROM contacts t JOIN submissions s ON s.submission_id = t.submission_id AND s.is_current JOIN periods p ON p.period = t.period;

CREATE TABLE workforce (submission_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, line INTEGER NOT NULL, "staff_id" VARCHAR, "role" VARCHAR, "paid" BOOLEAN, "fte" DOUBLE, "lived_experience" VARCHAR, "trauma_training_date" DATE);

CREATE VIEW cur_workforce AS SELECT t.submission_id, t.provider_id, t.period, t.line, t."staff_id", t."role", t."paid", t."fte", t."lived_experience", t."trauma_training_date", p.period_start, p.period_end FROM workforce t JOIN submissions s ON s.submission_id = t.submission_id AND s.is_current JOIN periods p ON p.period = t.period;

CREATE TABLE kpis (submission_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, line INTEGER NOT NULL, "kpi_id" VARCHAR, "name" VARCHAR, "measure" VARCHAR, "target" VARCHAR, "payment_linked" BOOLEAN, "set_by" VARCHAR);

CREATE VIEW cur_kpis AS SELECT t.submission_id, t.provider_id, t.period, t.line, t."kpi_id", t."name", t."measure", t."target", t."payment_linked", t."set_by", p.period_start, p.period_end FROM kpis t JOIN submissions s ON s.submission_id = t.submission_id AND s.is_current JOIN periods p ON p.period = t.period;

CREATE TABLE sites (submission_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, line INTEGER NOT NULL, "site_id" VARCHAR, "name" VARCHAR, "private_waiting_area" BOOLEAN, "women_only_space" BOOLEAN, "open_outside_office_hours" BOOLEAN, "drop_in" BOOLEAN);

CREATE VIEW cur_sites AS SELECT t.submission_id, t.provider_id, t.period, t.line, t."site_id", t."name", t."private_waiting_area", t."women_only_space", t."open_outside_office_hours", t."drop_in", p.period_start, p.period_end FROM sites t JOIN submissions s ON s.submission_id = t.submission_id AND s.is_current JOIN periods p ON p.period = t.period;

CREATE TABLE documents (submission_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, line INTEGER NOT NULL, "document_id" VARCHAR, "title" VARCHAR, "text" VARCHAR);

CREATE VIEW cur_documents AS SELECT t.submission_id, t.provider_id, t.period, t.line, t."document_id", t."title", t."text", p.period_start, p.period_end FROM documents t JOIN submissions s ON s.submission_id = t.submission_id AND s.is_current JOIN periods p ON p.period = t.period;

CREATE TABLE stories (submission_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, line INTEGER NOT NULL, "story_id" VARCHAR, "gathered_on" DATE, "teller" VARCHAR, "standards" VARCHAR, "consent" VARCHAR, "story" VARCHAR);

CREATE VIEW cur_stories AS SELECT t.submission_id, t.provider_id, t.period, t.line, t."story_id", t."gathered_on", t."teller", t."standards", t."consent", t."story", p.period_start, p.period_end FROM stories t JOIN submissions s ON s.submission_id = t.submission_id AND s.is_current JOIN periods p ON p.period = t.period;

CREATE TABLE story_screening (
    provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, story_id VARCHAR NOT NULL,
    submission_id VARCHAR NOT NULL, flags VARCHAR, screened_at TIMESTAMP NOT NULL
);

CREATE TABLE story_reviews (
    provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, story_id VARCHAR NOT NULL,
    decision VARCHAR NOT NULL,           -- cleared, redacted, kept_out
    redacted_text VARCHAR, reviewed_by VARCHAR NOT NULL, reviewed_at TIMESTAMP NOT NULL, note VARCHAR
);

CREATE TABLE story_withdrawals (
    provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, story_id VARCHAR NOT NULL,
    submission_id VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL
);

CREATE TABLE runs (
    run_id VARCHAR PRIMARY KEY, period VARCHAR NOT NULL, started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP, run_by VARCHAR, standards_dir VARCHAR, skipped_json VARCHAR
);

CREATE TABLE run_inputs (
    run_id VARCHAR NOT NULL, kind VARCHAR NOT NULL,   -- 'standard' or 'submission'
    name VARCHAR NOT NULL, version VARCHAR, sha256 VARCHAR NOT NULL, submission_id VARCHAR
);

CREATE TABLE run_standards (
    run_id VARCHAR NOT NULL, standard_id VARCHAR NOT NULL, standard_version INTEGER NOT NULL,
    file_name VARCHAR, sha256 VARCHAR, body_json VARCHAR NOT NULL   -- the standard as audited
);

CREATE TABLE results (
    run_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
    standard_id VARCHAR NOT NULL, standard_version INTEGER NOT NULL, measure_id VARCHAR NOT NULL,
    numerator DOUBLE, denominator DOUBLE, value DOUBLE, ci_lower DOUBLE, ci_upper DOUBLE,
    rating VARCHAR NOT NULL,             -- green, amber, red, no_data
    numerator_rows BIGINT, denominator_rows BIGINT,   -- unweighted people counts, for suppression
    benchmark DOUBLE, comparison VARCHAR -- similar, better, worse, best, worst, not_compared
);

CREATE TABLE standard_results (
    run_id VARCHAR NOT NULL, provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
    standard_id VARCHAR NOT NULL, standard_version INTEGER NOT NULL,
    rating VARCHAR NOT NULL              -- worst rated measure; no_data when none is rated
);

CREATE TABLE signoffs (
    provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, run_id VARCHAR,
    name VARCHAR NOT NULL, organisation VARCHAR NOT NULL, declaration VARCHAR NOT NULL,
    signed_by VARCHAR, signed_at TIMESTAMP NOT NULL
);

CREATE TABLE accounts (
    username VARCHAR PRIMARY KEY, display_name VARCHAR NOT NULL,
    role VARCHAR NOT NULL,               -- commissioner, auditor, expert_citizen, provider
    provider_id VARCHAR, password_hash VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL
);

-- Migration 0008 (issue 15, ingest speed): the rows of a return keyed by a small number.
-- Each submission gets a number (submissions.number, from a sequence; existing ones numbered
-- here). The six tables of a return keep their rows in <table>_rows, keyed by that number
-- instead of three strings repeated on every row (submission_id, provider_id, period: about
-- half the bytes of a contacts row), which made every load write, log and compress them
-- millions of times. The table's old name is now a view that joins the submission back, with
-- the same columns in the same order, so every reader is unchanged; so are the cur_ views.
-- Writers insert into <table>_rows (audits.ingest). The pack's stories table is unchanged
-- (migration 0060, which runs after this one on a new store, alters it as a table).
-- Existing rows are carried over through their submission; provider_id and period were always
-- the submission's own (audits.ingest wrote them from it).

CREATE SEQUENCE submission_numbers;
ALTER TABLE submissions ADD COLUMN number INTEGER DEFAULT nextval('submission_numbers');

CREATE TABLE episodes_rows (submission INTEGER NOT NULL, line INTEGER NOT NULL, "episode_id" VARCHAR, "person_id" VARCHAR, "referral_date" DATE, "first_contact_date" DATE, "first_intervention_date" DATE, "discharge_date" DATE, "discharge_reason" VARCHAR, "substance_group" VARCHAR, "sex" VARCHAR, "age_band" VARCHAR, "ethnicity" VARCHAR, "assessments" INTEGER, "choice_offered" BOOLEAN, "peer_support_offered" BOOLEAN, "mental_health_need" BOOLEAN, "mental_health_support" BOOLEAN, "housing_need" VARCHAR, "housing_support" BOOLEAN, "aftercare_offered" BOOLEAN, "representation" BOOLEAN, "restarted_from_scratch" BOOLEAN);
INSERT INTO episodes_rows SELECT s.number, t.line, t."episode_id", t."person_id", t."referral_date", t."first_contact_date", t."first_intervention_date", t."discharge_date", t."discharge_reason", t."substance_group", t."sex", t."age_band", t."ethnicity", t."assessments", t."choice_offered", t."peer_support_offered", t."mental_health_need", t."mental_health_support", t."housing_need", t."housing_support", t."aftercare_offered", t."representation", t."restarted_from_scratch" FROM episodes t JOIN submissions s ON s.submission_id = t.submission_id ORDER BY t.rowid;
DROP VIEW cur_episodes;
DROP TABLE episodes;
CREATE VIEW episodes AS SELECT s.submission_id, s.provider_id, s.period, t.line, t."episode_id", t."person_id", t."referral_date", t."first_contact_date", t."first_intervention_date", t."discharge_date", t."discharge_reason", t."substance_group", t."sex", t."age_band", t."ethnicity", t."assessments", t."choice_offered", t."peer_support_offered", t."mental_health_need", t."mental_health_support", t."housing_need", t."housing_support", t."aftercare_offered", t."representation", t."restarted_from_scratch" FROM episodes_rows t JOIN submissions s ON s.number = t.submission;
CREATE VIEW cur_episodes AS SELECT s.submission_id, s.provider_id, s.period, t.line, t."episode_id", t."person_id", t."referral_date", t."first_contact_date", t."first_intervention_date", t."discharge_date", t."discharge_reason", t."substance_group", t."sex", t."age_band", t."ethnicity", t."assessments", t."choice_offered", t."peer_support_offered", t."mental_health_need", t."mental_health_support", t."housing_need", t."housing_support", t."aftercare_offered", t."representation", t."restarted_from_scratch", p.period_start, p.period_end FROM episodes_rows t JOIN submissions s ON s.number = t.submission AND s.is_current JOIN periods p ON p.period = s.period;

CREATE TABLE contacts_rows (submission INTEGER NOT NULL, line INTEGER NOT NULL, "contact_id" VARCHAR, "episode_id" VARCHAR, "contact_date" DATE, "mode" VARCHAR, "outcome" VARCHAR, "after_missed" VARCHAR, "staff_role" VARCHAR);
INSERT INTO contacts_rows SELECT s.number, t.line, t."contact_id", t."episode_id", t."contact_date", t."mode", t."outcome", t."after_missed", t."staff_role" FROM contacts t JOIN submissions s ON s.submission_id = t.submission_id ORDER BY t.rowid;
DROP VIEW cur_contacts;
DROP TABLE contacts;
CREATE VIEW contacts AS SELECT s.submission_id, s.provider_id, s.period, t.line, t."contact_id", t."episode_id", t."contact_date", t."mode", t."outcome", t."after_missed", t."staff_role" FROM contacts_rows t JOIN submissions s ON s.number = t.submission;
CREATE VIEW cur_contacts AS SELECT s.submission_id, s.provider_id, s.period, t.line, t."contact_id", t."episode_id", t."contact_date", t."mode", t."outcome", t."after_missed", t."staff_role", p.period_start, p.period_end FROM contacts_rows t JOIN submissions s ON s.number = t.submission AND s.is_current JOIN periods p ON p.period = s.period;

CREATE TABLE workforce_rows (submission INTEGER NOT NULL, line INTEGER NOT NULL, "staff_id" VARCHAR, "role" VARCHAR, "paid" BOOLEAN, "fte" DOUBLE, "lived_experience" VARCHAR, "trauma_training_date" DATE);
INSERT INTO workforce_rows SELECT s.number, t.line, t."staff_id", t."role", t."paid", t."fte", t."lived_experience", t."trauma_training_date" FROM workforce t JOIN submissions s ON s.submission_id = t.submission_id ORDER BY t.rowid;
DROP VIEW cur_workforce;
DROP TABLE workforce;
CREATE VIEW workforce AS SELECT s.submission_id, s.provider_id, s.period, t.line, t."staff_id", t."role", t."paid", t."fte", t."lived_experience", t."trauma_training_date" FROM workforce_rows t JOIN submissions s ON s.number = t.submission;
CREATE VIEW cur_workforce AS SELECT s.submission_id, s.provider_id, s.period, t.line, t."staff_id", t."role", t."paid", t."fte", t."lived_experience", t."trauma_training_date", p.period_start, p.period_end FROM workforce_rows t JOIN submissions s ON s.number = t.submission AND s.is_current JOIN periods p ON p.period = s.period;

CREATE TABLE kpis_rows (submission INTEGER NOT NULL, line INTEGER NOT NULL, "kpi_id" VARCHAR, "name" VARCHAR, "measure" VARCHAR, "target" VARCHAR, "payment_linked" BOOLEAN, "set_by" VARCHAR);
INSERT INTO kpis_rows SELECT s.number, t.line, t."kpi_id", t."name", t."measure", t."target", t."payment_linked", t."set_by" FROM kpis t JOIN submissions s ON s.submission_id = t.submission_id ORDER BY t.rowid;
DROP VIEW cur_kpis;
DROP TABLE kpis;
CREATE VIEW kpis AS SELECT s.submission_id, s.provider_id, s.period, t.line, t."kpi_id", t."name", t."measure", t."target", t."payment_linked", t."set_by" FROM kpis_rows t JOIN submissions s ON s.number = t.submission;
CREATE VIEW cur_kpis AS SELECT s.submission_id, s.provider_id, s.period, t.line, t."kpi_id", t."name", t."measure", t."target", t."payment_linked", t."set_by", p.period_start, p.period_end FROM kpis_rows t JOIN submissions s ON s.number = t.submission AND s.is_current JOIN periods p ON p.period = s.period;

CREATE TABLE sites_rows (submission INTEGER NOT NULL, line INTEGER NOT NULL, "site_id" VARCHAR, "name" VARCHAR, "private_waiting_area" BOOLEAN, "women_only_space" BOOLEAN, "open_outside_office_hours" BOOLEAN, "drop_in" BOOLEAN);
INSERT INTO sites_rows SELECT s.number, t.line, t."site_id", t."name", t."private_waiting_area", t."women_only_space", t."open_outside_office_hours", t."drop_in" FROM sites t JOIN submissions s ON s.submission_id = t.submission_id ORDER BY t.rowid;
DROP VIEW cur_sites;
DROP TABLE sites;
CREATE VIEW sites AS SELECT s.submission_id, s.provider_id, s.period, t.line, t."site_id", t."name", t."private_waiting_area", t."women_only_space", t."open_outside_office_hours", t."drop_in" FROM sites_rows t JOIN submissions s ON s.number = t.submission;
CREATE VIEW cur_sites AS SELECT s.submission_id, s.provider_id, s.period, t.line, t."site_id", t."name", t."private_waiting_area", t."women_only_space", t."open_outside_office_hours", t."drop_in", p.period_start, p.period_end FROM sites_rows t JOIN submissions s ON s.number = t.submission AND s.is_current JOIN periods p ON p.period = s.period;

CREATE TABLE documents_rows (submission INTEGER NOT NULL, line INTEGER NOT NULL, "document_id" VARCHAR, "title" VARCHAR, "text" VARCHAR);
INSERT INTO documents_rows SELECT s.number, t.line, t."document_id", t."title", t."text" FROM documents t JOIN submissions s ON s.submission_id = t.submission_id ORDER BY t.rowid;
DROP VIEW cur_documents;
DROP TABLE documents;
CREATE VIEW documents AS SELECT s.submission_id, s.provider_id, s.period, t.line, t."document_id", t."title", t."text" FROM documents_rows t JOIN submissions s ON s.number = t.submission;
CREATE VIEW cur_documents AS SELECT s.submission_id, s.provider_id, s.period, t.line, t."document_id", t."title", t."text", p.period_start, p.period_end FROM documents_rows t JOIN submissions s ON s.number = t.submission AND s.is_current JOIN periods p ON p.period = s.period;

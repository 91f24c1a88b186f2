-- Migration 0060: stories gathered by peer interviewers (issue 16).
-- Five optional columns of the evidence-pack contract (audits/spec.py, stories): how the person
-- agreed their words may be used (quoted, summarised, not_at_all; NULL in packs made before this
-- means quoted, as they were printed until now), the reference they keep to take their story
-- back, who interviewed them, whether that interviewer chose to be named, and the hours spent.
-- A withdrawal by reference is kept on its own, once per reference, final: it holds for every
-- story with that reference in any quarter, including a paper sheet loaded after it.

ALTER TABLE stories ADD COLUMN use_of_words VARCHAR;
ALTER TABLE stories ADD COLUMN reference VARCHAR;
ALTER TABLE stories ADD COLUMN interviewer VARCHAR;
ALTER TABLE stories ADD COLUMN credit BOOLEAN;
ALTER TABLE stories ADD COLUMN hours DOUBLE;

CREATE OR REPLACE VIEW cur_stories AS SELECT t.submission_id, t.provider_id, t.period, t.line, t."story_id", t."gathered_on", t."teller", t."standards", t."consent", t."story", t."use_of_words", t."reference", t."interviewer", t."credit", t."hours", p.period_start, p.period_end FROM stories t JOIN submissions s ON s.submission_id = t.submission_id AND s.is_current JOIN periods p ON p.period = t.period;

CREATE TABLE reference_withdrawals (
    reference VARCHAR PRIMARY KEY,       -- twelve capital letters (audits.references.compact)
    withdrawn_by VARCHAR NOT NULL,       -- who recorded it (the auditor, or the interviewer with the person)
    withdrawn_at TIMESTAMP NOT NULL
);

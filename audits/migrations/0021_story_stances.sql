-- Migration 0021: what a story says of each standard it is tagged to (audits.story_review.tag_story):
-- a JSON object standard id -> 'confirms', 'contradicts' or 'mixed', kept on the tagging row.
-- Taggings written before this migration (and the pack's own column) have no stance.
-- The auditor's answer to a contradiction (why the rating stands) is kept apart, append-only,
-- with who and when, tied to the words answered (their SHA-256, as for a review).

ALTER TABLE story_tags ADD COLUMN stances VARCHAR;

CREATE TABLE contradiction_answers (
    provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, story_id VARCHAR NOT NULL,
    standard_id VARCHAR NOT NULL,
    answer VARCHAR NOT NULL,             -- why the rating stands; '' withdraws an earlier answer
    answered_by VARCHAR NOT NULL, answered_at TIMESTAMP NOT NULL, note VARCHAR
);

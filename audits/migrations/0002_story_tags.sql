-- Migration 0002 (schema version 2): an auditor's tagging of a story to standards
-- (audits.stories.tag_story). The latest tagging of a provider's story in a period wins over
-- the pack's own standards column; an empty standards value is a tagging that clears.
-- Append-only, with who and when.

CREATE TABLE story_tags (
    provider_id VARCHAR NOT NULL, period VARCHAR NOT NULL, story_id VARCHAR NOT NULL,
    standards VARCHAR NOT NULL,          -- standard ids separated by ';' ('' clears)
    tagged_by VARCHAR NOT NULL, tagged_at TIMESTAMP NOT NULL
);

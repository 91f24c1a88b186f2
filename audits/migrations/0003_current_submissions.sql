-- Migration 0003: one definition of "the current return" (and the current evidence pack).
-- Exactly one submission per (kind, provider_id, period) is current; a resubmission replaces
-- it and the earlier stays in the history. Every reader asks this view instead of repeating
-- the condition.

CREATE VIEW current_submissions AS SELECT * FROM submissions WHERE is_current;

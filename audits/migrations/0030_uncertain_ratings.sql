-- Migration 0030: whether the data can tell each rating (issue 14).
-- results.uncertain: the measure's 95% interval reaches across a threshold, so a figure
-- anywhere in it could be rated differently ("Met on the figures; the data can't yet tell").
-- standard_results.uncertain: an uncertain measure could change the standard's rating.
-- NULL for runs recorded before this migration: not assessed.

ALTER TABLE results ADD COLUMN uncertain BOOLEAN;
ALTER TABLE standard_results ADD COLUMN uncertain BOOLEAN;

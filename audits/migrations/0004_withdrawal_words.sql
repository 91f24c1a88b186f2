-- Migration 0004: a withdrawal keeps the SHA-256 of the withdrawn words (normalised: lower case,
-- runs of anything but letters and digits made one space), never the words. The same words told
-- in another quarter's pack are withdrawn too (audits.stories), because a withdrawal is final and
-- follows the person's words, not the pack's numbering. Withdrawals recorded before this keep
-- NULL here and hold for their own quarter and story id, as before.

ALTER TABLE story_withdrawals ADD COLUMN words_sha256 VARCHAR;

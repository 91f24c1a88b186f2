-- Migration 0010 (disclosure control): the areas a commissioner's account commissions. A
-- commissioner sees exact figures (the restricted tier) only for the providers of those areas;
-- every other provider's figures are the public, disclosure-controlled ones. Empty for every
-- other role, and for commissioner accounts made before this migration (they see public figures
-- until an administrator gives them their areas).

ALTER TABLE accounts ADD COLUMN areas VARCHAR[] DEFAULT [];

-- Migration 0062: the variance between providers each comparison with the benchmark allowed for.
-- At national scale providers' shares spread far more than chance allows, so the funnel's plain
-- limits called most providers better or worse (stats.dispersion: Spiegelhalter's additive
-- random-effects adjustment). between_variance is tau², on the share scale, the same on every row
-- of a measure: results keep the engine's (from the exact figures), public_results disclosure
-- control's (from the shown figures only, around the public benchmark). The funnel plots draw
-- their limits from it, so the chart and the table's comparison agree.
-- NULL for runs recorded before this migration: their comparisons allowed for none (tau² 0), and
-- their charts draw the plain limits they were made with. NULL too for measures not compared.

ALTER TABLE results ADD COLUMN between_variance DOUBLE;
ALTER TABLE public_results ADD COLUMN between_variance DOUBLE;

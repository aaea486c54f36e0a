-- Question: which LAs look after more (or fewer) children than their deprivation would predict?
-- Deprivation is the largest single factor behind the variation between LAs; mart_variation fits
-- log(rate) on the IDACI score over all LAs (weighted by child population) and places each LA on a
-- funnel plot: above_99_8 means further above the expected value than chance would put it 998 times
-- in 1,000.
-- Parameters: indicator_id (a rate per 10,000 or a percentage; default children looked after per
--   10,000), time_period (default 2025) and deprivation_measure ('idaci' or 'imd').
-- Reads: marts.mart_variation
-- One row per LA, furthest above expected first.
-- columns: la_code, la_name, value, deprivation_score, expected_value, observed_to_expected, funnel_position, r_squared, las_in_model
SET VARIABLE indicator_id = 'cla_rate_per_10k';
SET VARIABLE time_period = 2025;
SET VARIABLE deprivation_measure = 'idaci';

select
    la_code,
    la_name,
    value,
    deprivation_score,
    round(expected_value, 1) as expected_value,
    round(observed_to_expected, 2) as observed_to_expected,
    funnel_position,
    round(r_squared, 3) as r_squared,
    las_in_model
from marts.mart_variation
where indicator_id = getvariable('indicator_id')
  and time_period = getvariable('time_period')
  and deprivation_measure = getvariable('deprivation_measure')
order by observed_to_expected desc nulls last, la_code;

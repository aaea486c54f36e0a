-- Question: a league table of every LA on one indicator in one period, with its rank and the
-- LAIT quartile band (A to D) DfE's LA Interactive Tool would give it.
-- Parameters: indicator_id (see marts.dim_indicator; default the rate of children looked after per
--   10,000 children) and time_period (default the reporting year to 31 March 2025).
-- rank_meaning and band_meaning say whether 1 and A are the best or the highest (or lowest) value:
--   for indicators that are neither better nor worse (polarity neutral) they only order.
-- Reads: marts.fct_la_benchmark (one row per neighbour model; the rank and band do not depend on it)
-- One row per LA, best or highest first; LAs without a value (suppressed) last, with their status.
-- columns: rank, las_ranked, quartile_band, la_code, la_name, region_code, value, status, england_value, rank_meaning, band_meaning, band_lower_quartile, band_median, band_upper_quartile
SET VARIABLE indicator_id = 'cla_rate_per_10k';
SET VARIABLE time_period = 2025;

select
    rank,
    las_ranked,
    quartile_band,
    la_code,
    la_name,
    region_code,
    value,
    status,
    england_value,
    rank_meaning,
    band_meaning,
    band_lower_quartile,
    band_median,
    band_upper_quartile
from marts.fct_la_benchmark
where indicator_id = getvariable('indicator_id')
  and time_period = getvariable('time_period')
  and is_default_model
order by rank nulls last, la_name;

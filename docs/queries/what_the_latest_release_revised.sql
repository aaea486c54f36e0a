-- Question: what did a release change in figures an earlier release had already published?
-- Parameters: release (a release label as in marts.fct_la_indicator.release; default ees_2025,
--   the latest DfE release of children looked after, in need and the workforce; MHCLG's latest
--   outturn is mhclg_ro_2024-25_second_release).
-- Only values both releases printed are compared (a recomputed rate is not a revision).
-- Reads: marts.fct_la_indicator_revision, marts.dim_indicator, marts.dim_local_authority
-- One row per revised value, largest relative change first.
-- columns: indicator_id, label, la_code, la_name, time_period, earlier_release, earlier_value, later_release, later_value, difference, relative_difference
SET VARIABLE release = 'ees_2025';

select
    rev.indicator_id,
    ind.label,
    rev.la_code,
    la.la_name,
    rev.time_period,
    rev.earlier_release,
    rev.earlier_value,
    rev.later_release,
    rev.later_value,
    rev.difference,
    rev.difference / nullif(abs(rev.earlier_value), 0) as relative_difference
from marts.fct_la_indicator_revision as rev
join marts.dim_indicator as ind using (indicator_id)
join marts.dim_local_authority as la using (la_code)
where rev.later_release = getvariable('release')
order by abs(relative_difference) desc nulls last, rev.indicator_id, rev.la_code, rev.time_period;

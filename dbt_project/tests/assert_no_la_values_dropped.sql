{{ config(
    meta={'dagster': {'ref': {'name': 'fct_la_indicator'}}},
    fail_calc=fail_naming_rows(['la_code', 'la_name', 'time_period', 'indicator_id', 'release', 'status']),
) }}
-- Every LA value in int_indicator_values reaches fct_la_indicator: whatever the fact's joins and
-- filters (the LA dimension, each LA's lifetime) leave out, nothing a publisher said about an LA
-- and period is lost, neither a number nor a cell withheld as c, k or u (which says the LA had
-- something to report). Only cells with nothing in them may be left out: 'z' (not applicable,
-- the publisher's mark for an LA that did not exist yet or any more), 'x' (not available) and
-- empty cells. (A test for LA codes missing from dim_local_authority could not fail: the
-- dimension is built from those same codes.)
select
    v.area_code      as la_code,
    v.area_name      as la_name,
    v.time_period,
    v.indicator_id,
    v.release,
    v.status,
    v.value,
    v.source_file,
    v.source_row
from {{ ref('int_indicator_values') }} as v
left join {{ ref('fct_la_indicator') }} as f
    on f.la_code = v.area_code
    and f.time_period = v.time_period
    and f.indicator_id = v.indicator_id
    and f.release = v.release
where v.geographic_level = 'Local authority'
  and v.status not in ('not_applicable', 'not_available', 'missing')
  and f.la_code is null

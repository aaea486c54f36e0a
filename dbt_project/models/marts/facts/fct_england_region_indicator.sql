-- England and region values as the publisher printed them (not recomputed from LAs), every
-- release vintage, for benchmarking an LA against its region and England. DfE also
-- publishes Inner and Outer London (E13 codes) as London sub-regions.

select
    case
        when geographic_level = 'National' then 'England'
        when area_code like 'E13%' then 'London sub-region'
        else 'Region'
    end as geographic_level,
    area_code,
    area_name,
    time_period,
    period_type,
    indicator_id,
    value,
    status,
    recomputed_value,
    release,
    is_latest
from {{ ref('int_indicator_values') }}
where geographic_level in ('National', 'Regional')

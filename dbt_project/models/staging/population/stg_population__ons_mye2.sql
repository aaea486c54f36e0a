-- ONS's own mid-year estimates (MYE2 workbooks): children aged 0 to 17 per upper-tier LA,
-- summed over single years of age, codes as published (int_population_ons_mye2_coded
-- conforms them). Not a denominator: the gate fct_population__matches_ons_workbooks checks
-- the DfE-format series against it.

with source as (
    select * from {{ source('raw_population', 'ons_mye2_persons') }}
    where geography in ('County', 'Unitary Authority', 'Metropolitan District', 'London Borough', 'Country')
      and la_code like 'E%'
),

renamed as (
    select
        cast(time_period as integer)                                 as mid_year,
        case when geography = 'Country' then 'National' else 'Local authority' end as geographic_level,
        la_code                                                      as published_la_code,
        la_name,
        geography,
        {% for age in range(18) %}cast(age_{{ age }} as bigint){{ ' + ' if not loop.last }}{% endfor %} as population_0_17,
        {{ source_lineage() }}
    from source
)

select * from renamed

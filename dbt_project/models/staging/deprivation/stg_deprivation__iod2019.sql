-- IoD2019 File 11 (IMD and IDACI sheets) in the staged shape the indicator layer reads: one
-- row per upper-tier LA (2019 codes) and index, measure = the index. No England row: the
-- indices rank areas rather than total them.

{%- set value_columns = ['avg_score', 'avg_score_rank', 'proportion_lsoas_most_deprived_10pct'] %}

with source as (
    select 'iod2019_imd' as source_family, 'IMD' as measure, * from {{ source('raw_deprivation', 'iod2019_imd') }}
    union all
    select 'iod2019_idaci', 'IDACI', * from {{ source('raw_deprivation', 'iod2019_idaci') }}
),

renamed as (
    select
        source_family,
        cast(time_period as integer)                                    as time_period,
        'Local authority'                                               as geographic_level,
        'E92000001'                                                     as country_code,
        cast(null as varchar)                                           as region_code,
        cast(null as varchar)                                           as region_name,
        cast(null as varchar)                                           as la_code_dfe,
        la_code,
        la_name,
        measure,
        {%- for column in value_columns %}
        {{ parse_published_value(column) }} as {{ column }}__parsed,
        {%- endfor %}
        {{ staged_lineage() }}
    from source
)

{{ select_staged(value_columns) }}

{#-
  Staging for the pre-EES Statistical First Release files (2010-2017): the same staged shape
  as stage_ees_tidy. Their geography differs: the level is National/GOR/LA (2010) or
  NATIONAL/REGION/LA (catalogue recodes both), geog_c is the DfE LA number, 921 or 999 for
  England and a letter for a region (the 2010 letters are the old GOR codes; later years reuse
  letters differently, but print ONS codes), and 2010 has no ONS codes for LAs (the
  intermediate layer finds them from the DfE number). One 2017 row (Isles of Scilly) has no level: a row whose
  code is a DfE LA number is an LA.
-#}
{% macro stage_sfr_wide(source_name, table_name) -%}
{%- set relation = source(source_name, table_name) -%}
{%- set value_columns = raw_value_columns(table_name) -%}
{%- set symbols = raw_symbol_meanings(table_name) -%}
{%- set gor = {'A': ('E12000001', 'North East'), 'B': ('E12000002', 'North West'), 'D': ('E12000003', 'Yorkshire and The Humber'),
               'E': ('E12000004', 'East Midlands'), 'F': ('E12000005', 'West Midlands'), 'G': ('E12000006', 'East of England'),
               'H': ('E12000007', 'London'), 'J': ('E12000008', 'South East'), 'K': ('E12000009', 'South West')} -%}
with source as (
    select
        * replace (coalesce(geographic_level, case when regexp_full_match(old_la_code, '[0-9]{3}') then 'Local authority' end) as geographic_level)
    from {{ relation }}
),

renamed as (
    select
        '{{ table_name }}'                                              as source_family,
        cast(time_period as integer)                                    as time_period,
        geographic_level,
        'E92000001'                                                     as country_code,
        case when geographic_level = 'Regional' then coalesce(
            -- 2011-2017 print E12000007 for Inner and Outer London too
            case upper(trim(la_name)) when 'INNER LONDON' then 'E13000001' when 'OUTER LONDON' then 'E13000002' end,
            new_la_code, case old_la_code
            {%- for letter, (code, name) in gor.items() %} when '{{ letter }}' then '{{ code }}'{% endfor %} end)
        end                                                             as region_code,
        case when geographic_level = 'Regional' then coalesce(case old_la_code
            {%- for letter, (code, name) in gor.items() %} when '{{ letter }}' then '{{ name }}'{% endfor %} end, la_name)
        end                                                             as region_name,
        case when geographic_level = 'Local authority' then old_la_code end as la_code_dfe,
        case when geographic_level = 'Local authority' then new_la_code end as la_code,
        case when geographic_level = 'Local authority' then trim(la_name) end as la_name,
        cast(null as varchar)                                           as measure,
        {%- for column in value_columns %}
        {{ parse_published_value(column, symbols) }} as {{ column }}__parsed,
        {%- endfor %}
        {{ staged_lineage() }}
    from source
)

{{ select_staged(value_columns) }}
{%- endmacro %}

{#-
  Staging for any EES tidy file family in raw: rename the geography columns, type the
  period, and split every value column into `<column>` (double) and `<column>_status` with
  parse_published_value. Value columns are found in the raw table, whose columns the source
  catalogue defines, so a column added to the catalogue needs no SQL change.

  measure_column: the column whose label says what the values measure (CLA's `measure`), or
    CIN's constant `category`; keep: columns passed through as text.
-#}
{% macro stage_ees_tidy(source_name, table_name, measure_column=none, keep=[]) -%}
{%- set geography = ['time_period', 'time_identifier', 'geographic_level', 'country_code', 'country_name',
                     'region_code', 'region_name', 'old_la_code', 'new_la_code', 'la_name'] -%}
{%- set lineage = ['_release', '_source_file', '_sha256', '_loaded_at', '_row_number'] -%}
{%- set relation = source(source_name, table_name) -%}
{%- set value_columns = [] -%}
{%- if execute -%}
    {#- The physical table in `raw` (the loader's schema), also inside a unit test, where
        source() is the test's fixture and has only the fixture's columns. -#}
    {%- set physical = adapter.get_relation(database=target.database, schema='raw', identifier=table_name) -%}
    {%- for column in (adapter.get_columns_in_relation(physical) if physical else []) -%}
        {%- if column.name not in geography + lineage + keep and column.name != measure_column -%}
            {%- do value_columns.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
with source as (
    select * from {{ relation }}
),

renamed as (
    select
        '{{ table_name }}'                                              as source_family,
        cast(time_period as integer)                                    as time_period,
        geographic_level,
        country_code,
        region_code,
        region_name,
        old_la_code                                                     as la_code_dfe,
        new_la_code                                                     as la_code,
        la_name,
        {{ measure_column if measure_column else 'cast(null as varchar)' }} as measure,
        {%- for column in keep %}
        {{ column }},
        {%- endfor %}
        {%- for column in value_columns %}
        {{ parse_published_value(column) }} as {{ column }}__parsed,
        {%- endfor %}
        _release                                                        as release,
        cast(list_max(regexp_extract_all(_release, '[0-9]{4}')) as integer) as release_year,
        _source_file                                                    as source_file,
        _row_number                                                     as source_row
    from source
)

select
    source_family, time_period, geographic_level, country_code, region_code, region_name,
    la_code_dfe, la_code, la_name, measure,
    {%- for column in keep %}
    {{ column }},
    {%- endfor %}
    {%- for column in value_columns %}
    {{ column }}__parsed.value  as {{ column }},
    {{ column }}__parsed.status as {{ column }}_status,
    {%- endfor %}
    release, release_year, source_file, source_row
from renamed
{%- endmacro %}


{#-
  Long form of every parsed value column (a column with a `<column>_status` twin) of the
  given staging models: one row per published cell, ready to join the indicator catalogue.
-#}
{% macro unpivot_staged_values(model_names) -%}
{%- set selects = [] -%}
{%- for model_name in model_names -%}
    {%- set relation = ref(model_name) -%}
    {%- if execute -%}
        {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
        {%- for column in names if column ~ '_status' in names -%}
            {%- do selects.append(
                "select source_family, measure, '" ~ column ~ "' as source_column, " ~ column ~ " as value, "
                ~ column ~ "_status as status, time_period, geographic_level, country_code, region_code, "
                ~ "region_name, la_code_dfe, la_code, la_name, release, release_year, source_file, source_row from "
                ~ relation
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endfor -%}
{{ selects | join('\nunion all\n') if selects else 'select 1' }}
{%- endmacro %}

{#-
  Staging for any EES tidy file family in raw: rename the geography columns, type the
  period, and split every value column into `<column>` (double) and `<column>_status` with
  parse_published_value. Value and label columns are the raw table's, as the source catalogue
  defines them, so a column added to the catalogue needs no SQL change: the catalogue's label
  columns (what a row measures: CLA's `measure`, CIN's constant `category`, or `cla_group`
  and `characteristic`) are joined, in catalogue order, into one `measure` label with ' | '.
-#}
{% macro stage_ees_tidy(source_name, table_name) -%}
{%- set relation = source(source_name, table_name) -%}
{%- set label_columns = raw_label_columns(table_name) -%}
{%- set value_columns = raw_value_columns(table_name) -%}
{%- set symbols = raw_symbol_meanings(table_name) -%}
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
        {{ "concat_ws(' | ', " ~ (label_columns | join(', ')) ~ ")" if label_columns else 'cast(null as varchar)' }} as measure,
        {%- for column in value_columns %}
        {{ parse_published_value(column, symbols) }} as {{ column }}__parsed,
        {%- endfor %}
        {{ staged_lineage() }}
    from source
)

{{ select_staged(value_columns) }}
{%- endmacro %}

{#-
  What the raw tables hold, as the dbt sources generated from the source catalogue declare it
  (orchestration/lib/dbt/sources.py): read at compile time, so every staging model's SQL
  compiles without a loaded database.
-#}

{#- The columns of raw.<table_name>, name -> column (with its meta), as the dbt sources generated
    from the source catalogue declare them (orchestration/lib/dbt/sources.py): read at compile
    time, so the SQL compiles without a loaded database. Empty while dbt parses. -#}
{% macro raw_columns(table_name) -%}
{%- if not execute -%}{{ return({}) }}{%- endif -%}
{%- set tables = graph.sources.values() | selectattr('schema', 'equalto', 'raw') | selectattr('name', 'equalto', table_name) | list -%}
{%- if tables | length != 1 -%}
    {{ exceptions.raise_compiler_error("raw." ~ table_name ~ " is not in the dbt sources generated from the source catalogue: run `uv run python -m orchestration.lib.dbt.sources`") }}
{%- endif -%}
{{ return(tables[0].columns) }}
{%- endmacro %}


{#- The meta of raw.<table_name> (format, period, symbols), as the generated dbt sources give it
    (empty while dbt parses, and in a unit test, which sees no graph: raw_columns is the one
    that refuses a table the sources lack). -#}
{% macro raw_table_meta(table_name) -%}
{%- if not execute -%}{{ return({}) }}{%- endif -%}
{%- set tables = (graph.get('sources') or {}).values() | selectattr('schema', 'equalto', 'raw') | selectattr('name', 'equalto', table_name) | list -%}
{{ return(tables[0].meta if tables else {}) }}
{%- endmacro %}


{#- What each symbol means in raw.<table_name>: the defaults with the catalogue's override. -#}
{% macro raw_symbol_meanings(table_name) -%}
{{ return(symbol_meanings(raw_table_meta(table_name).get('symbols'))) }}
{%- endmacro %}


{#- The label columns of raw.<table_name>: those the catalogue marks `label`, in its order. -#}
{% macro raw_label_columns(table_name) -%}
{{ return(raw_columns(table_name).values() | selectattr('meta.label') | map(attribute='name') | list) }}
{%- endmacro %}


{#- The value columns of raw.<table_name>: every column but geography, lineage, labels and `exclude`. -#}
{% macro raw_value_columns(table_name, exclude=[]) -%}
{%- set not_values = var('ees_geography_columns') + (var('lineage_columns') | list) + raw_label_columns(table_name) + exclude -%}
{{ return(raw_columns(table_name) | reject('in', not_values) | list) }}
{%- endmacro %}

{#-
  Long form of every parsed value column (each has a `<column>_status` twin) of the given
  models: one row per published cell, ready to join the indicator catalogue.
  declared_by (optional): a meta key; model_names must be exactly the models whose YAML
  declares it, and the build fails naming any model on one side only. (The list itself has to be written out:
  dbt records only the refs it sees when it parses a model, and the graph is not known then.)
  A model's value columns are its raw table's (from the catalogue) when it stages one raw
  table, else the list its declaration gives. So the SQL compiles without a loaded database.
-#}
{% macro unpivot_staged_values(model_names, declared_by=none) -%}
{%- if execute and declared_by -%}
    {%- set declared = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.config.meta.get(declared_by) -%}
        {%- do declared.append(node.name) -%}
    {%- endfor -%}
    {%- set unlisted = declared | reject('in', model_names) | list -%}
    {%- set undeclared = model_names | reject('in', declared) | list -%}
    {%- if unlisted or undeclared -%}
        {{ exceptions.raise_compiler_error(
            "unpivot_staged_values: the models listed and those declaring meta." ~ declared_by ~ " differ. "
            ~ "Declared but not listed: " ~ (unlisted | join(', ') or 'none')
            ~ "; listed but not declared: " ~ (undeclared | join(', ') or 'none')) }}
    {%- endif -%}
{%- endif -%}
{%- set selects = [] -%}
{%- for model_name in model_names -%}
    {%- set relation = ref(model_name) -%}
    {%- if execute -%}
        {%- for column in declared_value_columns(model_name, declared_by) -%}
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


{#- A model's value columns: its raw table's, or the list it declares in meta.<declared_by>
    (see unpivot_staged_values). -#}
{% macro declared_value_columns(model_name, declared_by=none) -%}
{%- set node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') | selectattr('name', 'equalto', model_name) | first -%}
{%- set declared = node.config.meta.get(declared_by) if declared_by else none -%}
{%- if declared is iterable and declared is not string -%}
    {{ return(declared) }}
{%- endif -%}
{%- set raw_tables = [] -%}
{%- for parent in node.depends_on.nodes if parent.startswith('source.') -%}
    {%- do raw_tables.append(graph.sources[parent].name) -%}
{%- endfor -%}
{%- if raw_tables | length != 1 -%}
    {{ exceptions.raise_compiler_error(model_name ~ " reads " ~ (raw_tables | length) ~ " raw tables: declare its value columns, "
                                       ~ "meta: {" ~ (declared_by or 'indicator_values') ~ ": [column, ...]}") }}
{%- endif -%}
{{ return(raw_value_columns(raw_tables[0])) }}
{%- endmacro %}

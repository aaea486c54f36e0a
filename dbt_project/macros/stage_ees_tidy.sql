{#-
  Staging for any EES tidy file family in raw: rename the geography columns, type the
  period, and split every value column into `<column>` (double) and `<column>_status` with
  parse_published_value. Value and label columns are the raw table's, as the source catalogue
  defines them, so a column added to the catalogue needs no SQL change: the catalogue's label
  columns (what a row measures: CLA's `measure`, CIN's constant `category`, or `cla_group`
  and `characteristic`) are joined, in catalogue order, into one `measure` label with ' | '.
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


{#- The lineage columns every staged family ends with. -#}
{% macro staged_lineage() -%}
        _release                                                        as release,
        {{ release_year('_release') }}                               as release_year,
        _source_file                                                    as source_file,
        _row_number                                                     as source_row
{%- endmacro %}


{#- Where a staged row came from: the loader's lineage columns, renamed (every staging model). -#}
{% macro source_lineage() -%}
        _release                                                        as release,
        _source_file                                                    as source_file,
        _row_number                                                     as source_row
{%- endmacro %}


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


{#- The common staged shape: geography, measure, then each value column as value + status. -#}
{% macro select_staged(value_columns) -%}
select
    source_family, time_period, geographic_level, country_code, region_code, region_name,
    la_code_dfe, la_code, la_name, measure,
    {%- for column in value_columns %}
    {{ column }}__parsed.value  as {{ column }},
    {{ column }}__parsed.status as {{ column }}_status,
    {%- endfor %}
    release, release_year, source_file, source_row
from renamed
{%- endmacro %}


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

{#- Published cells: a publisher's text -> value and status, and the statuses a value can have. -#}

{#-
  Parse one published cell into struct(value double, status varchar).

  status is 'published' when the cell holds a number (thousands separators and a trailing %
  are allowed), 'missing' when the cell is empty, otherwise the meaning of the publisher's
  symbol, following the GSS symbol conventions DfE, ONS and MHCLG use: the project's
  var('published_symbols') (dbt_project.yml: suppressed, not_available, not_applicable, low,
  low_reliability, each with its symbols, matched whole-cell and case-insensitively); a bare
  footnote mark such as [note 4] (var('footnote_pattern')), which MHCLG prints instead of a
  value it explains in a note, is not_available; and 'unrecognised' for anything else (dbt
  tests and the expectation gates fail on it).
  value is NULL whenever status is not 'published': a suppressed cell is never 0.
  symbols (optional): the meanings for this source, from symbol_meanings(); the defaults otherwise.
  value_type (optional): the type the number is read as; money is read as var('money_type')
  (a DECIMAL), so pounds from GBP thousand are exact (39182.99959 x 1000 is 39182999.59, not
  the double 39182999.589999996).
-#}
{% macro parse_published_value(column, symbols=none, value_type='double') -%}
{%- set cell -%}nullif(trim(cast({{ column }} as varchar)), ''){%- endset -%}
{%- set number -%}try_cast(replace(regexp_replace({{ cell }}, '%$', ''), ',', '') as {{ value_type }}){%- endset -%}
struct_pack(
    value := {{ number }},
    status := case
        when {{ cell }} is null then 'missing'
        when {{ number }} is not null then 'published'
        {%- for status, symbols in (symbols or var('published_symbols')).items() %}
        when lower({{ cell }}) in ({% for symbol in symbols %}'{{ symbol | lower }}'{{ ', ' if not loop.last }}{% endfor %}) then '{{ status }}'
        {%- endfor %}
        when regexp_full_match(lower({{ cell }}), '{{ var("footnote_pattern") }}') then 'not_available'
        else 'unrecognised'
    end
)
{%- endmacro %}

{#-
  What each symbol means for one source: var('published_symbols'), with the source's own
  meanings (the catalogue's `symbols` of a family, which the generated dbt sources carry in the
  table's meta) moving each symbol they name to the status its publisher's metadata gives.
  The one home of an override is the catalogue; Python reads the same rule from
  orchestration/lib/core/conventions.py (Conventions.symbol_meanings).
-#}
{% macro symbol_meanings(overrides=none) -%}
{%- if not overrides -%}{{ return(var('published_symbols')) }}{%- endif -%}
{%- set moved = [] -%}
{%- for status, symbols in overrides.items() -%}
    {%- if status not in var('published_symbols') -%}
        {{ exceptions.raise_compiler_error("symbol_meanings: '" ~ status ~ "' is not a status of var('published_symbols')") }}
    {%- endif -%}
    {%- for symbol in symbols %}{% do moved.append(symbol | lower) %}{% endfor -%}
{%- endfor -%}
{%- set meanings = {} -%}
{%- for status, symbols in var('published_symbols').items() -%}
    {%- set kept = [] -%}
    {%- for symbol in symbols if (symbol | lower) not in moved %}{% do kept.append(symbol) %}{% endfor -%}
    {%- do meanings.update({status: kept + (overrides.get(status) or [])}) -%}
{%- endfor -%}
{{ return(meanings) }}
{%- endmacro %}

{#- The statuses parse_published_value can return, for accepted_values tests. -#}
{% macro published_statuses() -%}
{{ return(['published', 'missing'] + (var('published_symbols') | list)) }}
{%- endmacro %}

{#- Statuses of an indicator value: a published cell's, or 'recomputed' (see int_indicator_values). -#}
{% macro indicator_statuses() -%}
{{ return(published_statuses() + ['recomputed', 'provisional', 'provisional_suppressed']) }}
{%- endmacro %}

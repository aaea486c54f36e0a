{#- Published cells: a publisher's text -> value and status, and the statuses a value can have. -#}

{#-
  Parse one published cell into struct(value double, status varchar).

  status is 'published' when the cell holds a number (thousands separators and a trailing %
  are allowed), 'missing' when the cell is empty, otherwise the meaning of the publisher's
  symbol, following the GSS symbol conventions DfE, ONS and MHCLG use:
    c, [c]        suppressed     confidential, withheld to protect individuals
    x, [x], :, .. not_available  not available / not collected (also a bare footnote mark such
                  as [note 4], which MHCLG prints instead of a value it explains in a note)
    z, [z]        not_applicable not applicable (for example an LA that did not exist)
    k, [k], low   low            rounds to zero, but is not zero
    u, [u]        low_reliability
  and 'unrecognised' for anything else (dbt tests and the expectation gates fail on it).
  value is NULL whenever status is not 'published': a suppressed cell is never 0.
-#}
{% macro parse_published_value(column) -%}
{%- set cell -%}nullif(trim(cast({{ column }} as varchar)), ''){%- endset -%}
{%- set number -%}try_cast(replace(regexp_replace({{ cell }}, '%$', ''), ',', '') as double){%- endset -%}
struct_pack(
    value := {{ number }},
    status := case
        when {{ cell }} is null then 'missing'
        when {{ number }} is not null then 'published'
        when lower({{ cell }}) in ('c', '[c]') then 'suppressed'
        when lower({{ cell }}) in ('x', '[x]', ':', '..') then 'not_available'
        when regexp_full_match(lower({{ cell }}), '\[note [0-9]+\]') then 'not_available'
        when lower({{ cell }}) in ('z', '[z]') then 'not_applicable'
        when lower({{ cell }}) in ('k', '[k]', 'low') then 'low'
        when lower({{ cell }}) in ('u', '[u]') then 'low_reliability'
        else 'unrecognised'
    end
)
{%- endmacro %}

{#- The statuses parse_published_value can return, for accepted_values tests. -#}
{% macro published_statuses() -%}
{{ return(['published', 'missing', 'suppressed', 'not_available', 'not_applicable', 'low', 'low_reliability']) }}
{%- endmacro %}

{#- Statuses of an indicator value: a published cell's, or 'recomputed' (see int_indicator_values). -#}
{% macro indicator_statuses() -%}
{{ return(published_statuses() + ['recomputed']) }}
{%- endmacro %}

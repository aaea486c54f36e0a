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

{#- First reporting year (year ending 31 March) on or after a date. -#}
{% macro reporting_year_from(date_column) -%}
(extract(year from {{ date_column }}) + case when extract(month from {{ date_column }}) > 3 then 1 else 0 end)
{%- endmacro %}

{#- Statuses of an indicator value: a published cell's, or 'recomputed' (see int_indicator_values). -#}
{% macro indicator_statuses() -%}
{{ return(published_statuses() + ['recomputed']) }}
{%- endmacro %}

{#- The reporting year (year ending 31 March) in which a period falls: 30 June or
    30 September of year Y falls in the reporting year ending 31 March Y+1; a financial year
    is stored as the year it ends (2023-24 is 2024), which is its reporting year. -#}
{% macro reporting_year_of(time_period, period_type) -%}
(case when {{ period_type }} in ('reporting_year_31_march', 'financial_year') then {{ time_period }} else {{ time_period }} + 1 end)
{%- endmacro %}

{#- An LA name reduced for exact matching: case, '&', punctuation and spacing ignored. -#}
{% macro normalise_la_name(column) -%}
trim(regexp_replace(regexp_replace(replace(lower({{ column }}), '&', ' and '), '[^a-z0-9]+', ' ', 'g'), '\s+', ' ', 'g'))
{%- endmacro %}

{#- Ofsted's four-point judgement scale, best first. -#}
{% macro ofsted_judgements() -%}
{{ return(['Outstanding', 'Good', 'Requires improvement to be good', 'Inadequate']) }}
{%- endmacro %}

{#- 1 (Outstanding) to 4 (Inadequate), as Ofsted grades. -#}
{% macro ofsted_grade(column) -%}
(case {{ column }} when 'Outstanding' then 1 when 'Good' then 2 when 'Requires improvement to be good' then 3 when 'Inadequate' then 4 end)
{%- endmacro %}

{#- An LA code as it is today: a code a recode retired (same authority and area, new code:
    seeds/la_boundary_changes.csv) becomes its successor; any other code is unchanged. -#}
{% macro conformed_la_code(column) -%}
coalesce((select recode.successor_la_code from {{ ref('la_boundary_changes') }} as recode
          where recode.change_kind = 'recode' and recode.predecessor_la_code = {{ column }}), {{ column }})
{%- endmacro %}

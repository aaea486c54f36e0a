{#-
  Release labels and their order: one rule for every model that picks the latest vintage.

  A release label is the catalogue's name for one vintage of a family's files (`_release` in
  raw, `release` from staging on), for example ees_2024, sfr_2012, s251_outturn_2008-09,
  mhclg_ro_2024-25_first_release, dfe_ons_mye_2012-2024, d2i_ilacs_scrape_2025-03-03 or
  ofsted_la_outcomes_2024-03. A publisher's revision of a pinned file lands as
  `<release>_revised_<YYYY-MM-DD>` (orchestration/lib/ingest/releases.py).

  release_year: the largest four-digit number in the label without its revision suffix
    (ees_2024 -> 2024, s251_outturn_2008-09 -> 2008, dfe_ons_mye_2012-2024 -> 2024,
    mhclg_ro_2024-25_second_release_revised_2026-01-05 -> 2024: the day a page changed is not
    the release's year).
  release_order: a text key that sorts releases oldest first (`order by ... desc` for the
    latest): release_year; then the stage, a `_first_release` before a `_second_release`
    before a `_third_release` before a label without a stage (a publisher's only or final
    release of that year); then, where the caller has it (`published_at`: the release index's
    publication date, known when discovery found the release), the day it was published; then
    the revision day, the unrevised file before its revisions in the order they were found;
    then the label itself, so any other tie (two families' labels of one year) is broken the
    same way every time. The labels of a series the models order never tie on year, stage and
    revision day (tests/assert_release_labels_order_a_family.sql): for those the publication
    date, were it given, could only agree with the label's order.
  Python reads the same macros for the SQL it runs outside dbt (the expectation suites):
  orchestration/lib/dbt/macros.py renders this file.
  Labels must not be compared as text: 'mhclg_ro_2024-25_first_release' < '..._second_release'
  only by the alphabet, and a revision label would sort by its base label's letters.
-#}

{#- The label without a publisher revision's `_revised_<YYYY-MM-DD>` suffix. -#}
{% macro release_base(label) -%}
regexp_replace({{ label }}, '_revised_[0-9]{4}-[0-9]{2}-[0-9]{2}$', '')
{%- endmacro %}

{% macro release_year(label) -%}
cast(list_max(regexp_extract_all({{ release_base(label) }}, '[0-9]{4}')) as integer)
{%- endmacro %}

{#- The stage of a release within its year: 1, 2, 3 for a first, second, third release; 9 for none. -#}
{% macro release_stage(label) -%}
case when regexp_matches({{ release_base(label) }}, '_first_release$') then 1
            when regexp_matches({{ release_base(label) }}, '_second_release$') then 2
            when regexp_matches({{ release_base(label) }}, '_third_release$') then 3
            else 9 end
{%- endmacro %}

{% macro release_order(label, published_at=none) -%}
printf('%04d %d {{ "%s " if published_at else "" }}%s %s',
       {{ release_year(label) }},
       {{ release_stage(label) }},
       {%- if published_at %}
       coalesce(left(cast({{ published_at }} as varchar), 10), '0000-00-00'),
       {%- endif %}
       coalesce(nullif(regexp_extract({{ label }}, '_revised_([0-9]{4}-[0-9]{2}-[0-9]{2})$', 1), ''), '0000-00-00'),
       {{ release_base(label) }})
{%- endmacro %}

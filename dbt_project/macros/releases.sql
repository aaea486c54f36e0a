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
    release of that year); then the revision day, the unrevised file before its revisions in
    the order they were found; then the label itself, so any other tie (two families' labels
    of one year) is broken the same way every time.
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

{% macro release_order(label) -%}
printf('%04d %d %s %s',
       {{ release_year(label) }},
       case when regexp_matches({{ release_base(label) }}, '_first_release$') then 1
            when regexp_matches({{ release_base(label) }}, '_second_release$') then 2
            when regexp_matches({{ release_base(label) }}, '_third_release$') then 3
            else 9 end,
       coalesce(nullif(regexp_extract({{ label }}, '_revised_([0-9]{4}-[0-9]{2}-[0-9]{2})$', 1), ''), '0000-00-00'),
       {{ release_base(label) }})
{%- endmacro %}

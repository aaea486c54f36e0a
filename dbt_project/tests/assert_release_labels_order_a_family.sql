{{ config(
    meta={'dagster': {'ref': {'name': 'int_indicator_values_unpivoted'}}},
    fail_calc=fail_naming_rows(['series', 'release', 'tied_with']),
) }}
-- The models pick the latest vintage of a series (an indicator, an expenditure family) by its
-- release label alone (macros/releases.sql: year, stage, revision day), as their rows carry no
-- publication date; that is the order the publication dates give too only if no two labels of
-- one series tie on all three. A label a discovered release was given that ties with another
-- (say `ees_2025` and `ees_2025-26`) fails here, naming both, rather than being ordered by its
-- letters.
with releases as (
    select distinct indicator_id as series, release from {{ ref('int_indicator_values_unpivoted') }}
    union
    select distinct source_family as series, release from {{ ref('int_expenditure_lines') }}
),

keyed as (
    select
        series,
        release,
        {{ release_year('release') }} as release_year,
        {{ release_stage('release') }} as release_stage,
        regexp_extract(release, '_revised_([0-9]{4}-[0-9]{2}-[0-9]{2})$', 1) as revised_on
    from releases
)

select a.series, a.release, b.release as tied_with
from keyed as a
inner join keyed as b
    on a.series = b.series
    and a.release < b.release
    and a.release_year = b.release_year
    and a.release_stage = b.release_stage
    and a.revised_on = b.revised_on

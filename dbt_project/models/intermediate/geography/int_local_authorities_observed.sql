-- Every LA code any source shows, with its newest published name, DfE number and region, and
-- the first and last reporting years in which any source lists it. DfE files place London boroughs
-- in the Inner (E13000001) or Outer (E13000002) London sub-region; their ONS region is London.

with observations as (
    select
        * replace (
            case when region_code like 'E13%' then 'E12000007' else region_code end as region_code,
            case when region_code like 'E13%' then 'London' else region_name end as region_name
        ),
        -- how recent a row is, across families: its release's year, then its period, then (a
        -- tie, such as two families' files of one year) the release order (macros/releases.sql)
        (release_year, time_period, {{ release_order('release') }}) as recency
    from {{ ref('int_indicator_values_unpivoted') }}
    where geographic_level = 'Local authority'
)

select
    published_la_code                                              as la_code,
    -- the DfE statistics print a region with every LA; the expenditure returns do not, and
    -- their names are the finance returns' ("Dorset UA"): prefer rows with a region
    coalesce(
        arg_max(la_code_dfe, recency) filter (where region_code is not null),
        arg_max(la_code_dfe, recency))  as la_code_dfe,
    coalesce(
        arg_max(area_name, recency) filter (where region_code is not null),
        arg_max(area_name, recency))    as la_name,
    arg_max(region_code, recency) filter (where region_code is not null) as region_code,
    arg_max(region_name, recency) filter (where region_code is not null) as region_name,
    -- any row counts, whatever its status: an 'x' still says the LA existed that year (LAs
    -- that did not exist yet are the ones a boundary change creates; the dimension uses the
    -- change's date for those)
    min({{ reporting_year_of('time_period', 'period_type') }})     as first_seen_year,
    max({{ reporting_year_of('time_period', 'period_type') }})     as last_seen_year
from observations
group by published_la_code

-- The headline rates of mart_la_year_profile by delivery model, over time, and each trust LA
-- before and after its trust's start against its statistical neighbours.
--
-- One row per LA, reporting year (year ending 31 March), headline rate and DfE neighbour model
-- (2021, 2025). Counts and totals are left out: they scale with the LA's size, so a mean over
-- LAs or neighbours would say little. The delivery model of an LA-year is the arrangement in
-- force at its 31 March (fct_la_delivery_model); an LA-year without one has model_kind
-- 'none_recorded'. A trust LA is one that a trust_or_company arrangement has served: its
-- trust_start_reporting_year is the first year whose 31 March fell on or after the trust's
-- first day (for Northamptonshire's successors, the trust's start in the old county), so
-- years_from_trust_start is negative in the years wholly before the trust.

{% set rates = [
    'cla_rate_per_10k', 'cla_started_rate_per_10k', 'cla_placements_3plus_pct', 'cin_rate_per_10k',
    'referrals_rate_per_10k', 'rereferrals_pct', 's47_enquiries_rate_per_10k', 'cpp_rate_per_10k',
    'csc_spend_per_child_gbp', 'sw_caseload_avg', 'sw_agency_rate_pct', 'sw_vacancy_rate_pct',
    'sw_turnover_rate_pct',
] %}

with profile as (
    select * from {{ ref('mart_la_year_profile') }}
),

values_long as (
    {%- for rate in rates %}
    select la_code, la_name, reporting_year, '{{ rate }}' as indicator_id,
           {{ rate }}::double as value, {{ rate }}_status as value_status
    from profile
    where {{ rate }} is not null or {{ rate }}_status is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

arrangements as (
    select * from {{ ref('fct_la_delivery_model') }}
    where reporting_year_from is not null
),

models as (
    select * from {{ ref('dim_delivery_model') }}
),

in_force as (
    select la_years.la_code, la_years.reporting_year, arrangements.delivery_model_id, arrangements.model_kind
    from (select distinct la_code, reporting_year from values_long) as la_years
    inner join arrangements
        on arrangements.la_code = la_years.la_code
       and la_years.reporting_year between arrangements.reporting_year_from and coalesce(arrangements.reporting_year_to, 9999)
),

-- each trust LA's first trust or company, and when that trust began
trust_las as (
    select
        arrangements.la_code,
        arrangements.delivery_model_id                                  as trust_delivery_model_id,
        models.effective_from                                           as trust_start_date,
        {{ reporting_year_from('models.effective_from') }}::integer     as trust_start_reporting_year
    from arrangements
    inner join models using (delivery_model_id)
    where arrangements.model_kind = 'trust_or_company'
    qualify row_number() over (partition by arrangements.la_code order by models.effective_from) = 1
),

with_model as (
    select
        values_long.*,
        in_force.delivery_model_id,
        coalesce(in_force.model_kind, 'none_recorded')                  as model_kind
    from values_long
    left join in_force using (la_code, reporting_year)
),

-- floating-point sums run in a fixed order (ORDER BY inside the aggregate): a parallel
-- aggregate adds in arrival order, and two refreshes of the same files must publish the same bits
by_model_kind as (
    select
        model_kind, reporting_year, indicator_id,
        count(value)                                                    as model_kind_la_count,
        avg(value order by la_code)                                     as model_kind_mean,
        median(value)                                                   as model_kind_median
    from with_model
    group by model_kind, reporting_year, indicator_id
),

neighbours as (
    select model_year, la_code, neighbour_la_code from {{ ref('dim_statistical_neighbour') }}
),

against_neighbours as (
    select
        own.la_code, own.reporting_year, own.indicator_id,
        neighbours.model_year                                           as neighbour_model_year,
        count(*)                                                        as neighbours_in_model,
        count(theirs.value)                                             as neighbours_with_value,
        avg(theirs.value order by theirs.la_code)                       as neighbour_mean
    from values_long as own
    inner join neighbours on neighbours.la_code = own.la_code
    left join values_long as theirs
        on theirs.la_code = neighbours.neighbour_la_code
       and theirs.reporting_year = own.reporting_year
       and theirs.indicator_id = own.indicator_id
    group by own.la_code, own.reporting_year, own.indicator_id, neighbours.model_year
)

select
    with_model.la_code,
    with_model.la_name,
    with_model.reporting_year,
    with_model.indicator_id,
    with_model.value,
    with_model.value_status,
    with_model.delivery_model_id,
    with_model.model_kind,
    by_model_kind.model_kind_la_count,
    by_model_kind.model_kind_mean,
    by_model_kind.model_kind_median,
    trust_las.trust_delivery_model_id,
    trust_las.trust_start_date,
    trust_las.trust_start_reporting_year,
    with_model.reporting_year - trust_las.trust_start_reporting_year   as years_from_trust_start,
    case when trust_las.la_code is null then null
         when with_model.reporting_year < trust_las.trust_start_reporting_year then 'before'
         when with_model.model_kind = 'trust_or_company' then 'under_trust'
         else 'after_trust'
    end                                                                 as trust_phase,
    against_neighbours.neighbour_model_year,
    coalesce(against_neighbours.neighbours_in_model, 0)                 as neighbours_in_model,
    coalesce(against_neighbours.neighbours_with_value, 0)               as neighbours_with_value,
    against_neighbours.neighbour_mean,
    with_model.value - against_neighbours.neighbour_mean                as difference_from_neighbours
from with_model
inner join by_model_kind using (model_kind, reporting_year, indicator_id)
left join trust_las using (la_code)
left join against_neighbours using (la_code, reporting_year, indicator_id)

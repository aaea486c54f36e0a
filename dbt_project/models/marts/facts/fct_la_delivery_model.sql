-- One row per LA and delivery arrangement (seeds/la_delivery_models.csv, every row cited), with
-- the dates it was in force and the reporting years (years ending 31 March) whose 31 March it
-- covers. An arrangement whose end no source gives (end_basis not_found) is placed in no
-- reporting year: nobody can say at which 31 March it still held.

with arrangements as (
    select * from {{ ref('la_delivery_models') }}
),

authorities as (
    select la_code, la_name from {{ ref('dim_local_authority') }}
)

select
    arrangements.la_code,
    authorities.la_name,
    arrangements.delivery_model_id,
    arrangements.model_kind,
    arrangements.effective_from,
    arrangements.effective_from_precision,
    arrangements.effective_to,
    arrangements.effective_to_precision,
    arrangements.end_basis,
    case when arrangements.end_basis <> 'not_found'
         then {{ reporting_year_from('arrangements.effective_from') }}
    end::integer                                                        as reporting_year_from,
    -- the last 31 March on or before the end
    case when arrangements.end_basis in ('ended', 'boundary_change')
         then extract(year from arrangements.effective_to)
              - case when arrangements.effective_to < make_date(extract(year from arrangements.effective_to)::integer, 3, 31)
                     then 1 else 0 end
    end::integer                                                        as reporting_year_to,
    arrangements.source_url,
    arrangements.source_says,
    arrangements.end_source_url,
    arrangements.end_source_says,
    arrangements.also_see_url,
    arrangements.note
from arrangements
inner join authorities using (la_code)

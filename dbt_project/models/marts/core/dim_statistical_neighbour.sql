-- Each LA's ten statistical neighbours in DfE's April 2021 and May 2025 models, one row per
-- (model year, LA, rank), with ONS codes. A DfE number that two codes have carried (a
-- recode, such as North Yorkshire's 815) maps to the current code.

with models as (
    select * from {{ ref('stg_lookups__statistical_neighbours') }}
),

long as (
    {%- for i in range(1, 11) %}
    select model_year, la_code_dfe, {{ i }} as neighbour_rank, neighbour_{{ i }}_la_code_dfe as neighbour_la_code_dfe,
           neighbour_{{ i }}_closeness as closeness, release
    from models
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

dfe_to_ons as (
    select la_code_dfe, la_code
    from {{ ref('dim_local_authority') }}
    where la_code_dfe is not null
    qualify row_number() over (partition by la_code_dfe order by is_current desc, last_year desc nulls first) = 1
)

select
    long.model_year,
    la.la_code,
    long.neighbour_rank,
    neighbour.la_code                                   as neighbour_la_code,
    long.closeness,
    case long.closeness
        when 'extremely close' then 1 when 'very close' then 2 when 'close' then 3
        when 'somewhat close' then 4 when 'not close' then 5
    end                                                 as closeness_order,
    long.release
from long
inner join dfe_to_ons as la on la.la_code_dfe = long.la_code_dfe
inner join dfe_to_ons as neighbour on neighbour.la_code_dfe = long.neighbour_la_code_dfe
-- LAs a model does not cover (the 2021 model gives Cumberland and Westmorland and Furness,
-- created in 2023, no neighbours: '-') have no rows for it

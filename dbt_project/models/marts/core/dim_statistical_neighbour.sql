-- Each LA's ten statistical neighbours in DfE's April 2021 and May 2025 models, one row per
-- (model year, LA, rank), with ONS codes. A DfE number that two codes have carried (a
-- recode, such as North Yorkshire's 815) maps to the current code.

with models as (
    select * from {{ ref('stg_lookups__statistical_neighbours') }}
),

long as (
    select model_year, la_code_dfe, 1 as neighbour_rank, neighbour_1_la_code_dfe as neighbour_la_code_dfe, neighbour_1_closeness as closeness, release from models
    union all
    select model_year, la_code_dfe, 2 as neighbour_rank, neighbour_2_la_code_dfe as neighbour_la_code_dfe, neighbour_2_closeness as closeness, release from models
    union all
    select model_year, la_code_dfe, 3 as neighbour_rank, neighbour_3_la_code_dfe as neighbour_la_code_dfe, neighbour_3_closeness as closeness, release from models
    union all
    select model_year, la_code_dfe, 4 as neighbour_rank, neighbour_4_la_code_dfe as neighbour_la_code_dfe, neighbour_4_closeness as closeness, release from models
    union all
    select model_year, la_code_dfe, 5 as neighbour_rank, neighbour_5_la_code_dfe as neighbour_la_code_dfe, neighbour_5_closeness as closeness, release from models
    union all
    select model_year, la_code_dfe, 6 as neighbour_rank, neighbour_6_la_code_dfe as neighbour_la_code_dfe, neighbour_6_closeness as closeness, release from models
    union all
    select model_year, la_code_dfe, 7 as neighbour_rank, neighbour_7_la_code_dfe as neighbour_la_code_dfe, neighbour_7_closeness as closeness, release from models
    union all
    select model_year, la_code_dfe, 8 as neighbour_rank, neighbour_8_la_code_dfe as neighbour_la_code_dfe, neighbour_8_closeness as closeness, release from models
    union all
    select model_year, la_code_dfe, 9 as neighbour_rank, neighbour_9_la_code_dfe as neighbour_la_code_dfe, neighbour_9_closeness as closeness, release from models
    union all
    select model_year, la_code_dfe, 10 as neighbour_rank, neighbour_10_la_code_dfe as neighbour_la_code_dfe, neighbour_10_closeness as closeness, release from models
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

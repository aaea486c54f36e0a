{{ config(meta={'dagster': {'ref': {'name': 'fct_la_delivery_model'}}},
          fail_calc=fail_naming_rows(['la_code', 'delivery_model_id', 'problem'])) }}
-- The hand-kept delivery models say something coherent: the seed's LA name is the dimension's
-- for its code (a mistyped code shows), an end is after its start, an ended row has an end and
-- a source for it, an open one has none, and no LA is under two arrangements at once.
with rows as (
    select fct.*, seed.la_name as seed_la_name
    from {{ ref('fct_la_delivery_model') }} as fct
    inner join {{ ref('la_delivery_models') }} as seed using (la_code, delivery_model_id)
),

problems as (
    select la_code, delivery_model_id, 'seed name ' || seed_la_name || ' is not ' || la_name as problem
    from rows where seed_la_name <> la_name
    union all
    select la_code, delivery_model_id, 'ends before it starts' from rows where effective_to < effective_from
    union all
    select la_code, delivery_model_id, 'ended without an end date and its source'
    from rows where end_basis in ('ended', 'boundary_change') and (effective_to is null or end_source_url is null)
    union all
    select la_code, delivery_model_id, 'in force or unknown end, yet an end date'
    from rows where end_basis in ('open', 'not_found') and effective_to is not null
    union all
    select a.la_code, a.delivery_model_id, 'overlaps ' || b.delivery_model_id
    from rows as a
    inner join rows as b
        on a.la_code = b.la_code and a.delivery_model_id < b.delivery_model_id
       and a.end_basis <> 'not_found' and b.end_basis <> 'not_found'
       and a.effective_from <= coalesce(b.effective_to, date '9999-12-31')
       and b.effective_from <= coalesce(a.effective_to, date '9999-12-31')
)

select * from problems

-- One row per delivery arrangement (a trust or company, a shared arrangement, a DfE
-- commissioner without a trust), summarised from its LA rows in fct_la_delivery_model: when it
-- began, when it ended if it has, and which LAs it served.

with members as (
    select * from {{ ref('fct_la_delivery_model') }}
),

arrangements as (
    select * from {{ ref('la_delivery_models') }}
)

select
    delivery_model_id,
    any_value(arrangements.delivery_model_name)                         as delivery_model_name,
    any_value(members.model_kind)                                       as model_kind,
    bool_or(arrangements.after_statutory_intervention)                  as after_statutory_intervention,
    min(members.effective_from)                                         as effective_from,
    arg_min(members.effective_from_precision, members.effective_from)   as effective_from_precision,
    -- ended only when every LA row has ended (a county's row that ended at a boundary change
    -- leaves the arrangement running for its successors)
    case when bool_and(members.end_basis = 'ended') then max(members.effective_to) end
                                                                        as effective_to,
    case when bool_and(members.end_basis = 'ended') then 'ended'
         when bool_or(members.end_basis = 'open') then 'open'
         else 'not_found' end                                           as end_basis,
    count(distinct members.la_code)                                     as la_count,
    string_agg(distinct members.la_name, '; ' order by members.la_name) as la_names,
    arg_min(members.source_url, members.effective_from)                 as source_url
from members
inner join arrangements using (la_code, delivery_model_id)
group by delivery_model_id

-- Ofsted's 31 March tables with every LA's ONS code: a published code conformed to today's
-- (recodes), else, where the table names LAs without codes (March 2024), the code of the exact
-- normalised name or the name table (int_la_name_lookup). A name that matches neither leaves
-- la_code NULL and fails the not_null test.

with judgements as (
    select * from {{ ref('stg_ofsted__judgements_at_31_march') }}
),

names as (
    select * from {{ ref('int_la_name_lookup') }}
)

select
    judgements.time_period,
    coalesce({{ conformed_la_code('judgements.published_la_code') }}, names.la_code) as la_code,
    case when judgements.published_la_code is not null then 'published code' else names.matched_by end
                                                                     as la_code_matched_by,
    judgements.la_name_as_published,
    judgements.ofsted_region,
    judgements.inspection_date,
    judgements.is_inspected,
    judgements.publication_date,
    judgements.overall_effectiveness,
    judgements.impact_of_leaders,
    judgements.help_and_protection,
    judgements.children_in_care,
    judgements.care_leavers,
    judgements.release,
    judgements.source_file,
    judgements.source_row,
    judgements.published_la_code
from judgements
left join names on names.normalised_name = {{ normalise_la_name('judgements.la_name_as_published') }}

-- ILACS inspections with codes conformed to today's: a recoded LA (same area, new code)
-- carries its current code; published_la_code keeps the code as printed.

with inspections as (
    select * from {{ ref('stg_ofsted__ilacs_history') }}
)

select
    {{ conformed_la_code('published_la_code') }}                     as la_code,
    *
from inspections

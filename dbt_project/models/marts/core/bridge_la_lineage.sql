-- Predecessor -> successor LA pairs for every boundary change the warehouse knows, so a BI
-- user can roll predecessors up to today's LAs or follow a successor's series back.

select
    predecessor_la_code,
    predecessor_name,
    successor_la_code,
    successor_name,
    effective_date,
    {{ reporting_year_from('effective_date') }}::integer as first_reporting_year_of_successor,
    change_kind,
    note
from {{ ref('la_boundary_changes') }}

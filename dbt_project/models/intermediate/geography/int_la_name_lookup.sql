-- Normalised LA name -> ONS code, for sources that name LAs without codes: every LA existing
-- today under the name the DfE statistics print, plus the hand-kept aliases in
-- seeds/la_name_aliases.csv. Exact matches only; the unique test on normalised_name
-- guarantees a name can never resolve to two LAs.

with retired as (
    select distinct predecessor_la_code as la_code from {{ ref('la_boundary_changes') }}
),

names as (
    select la_code, la_name as name, 'LA dimension' as matched_by
    from {{ ref('int_local_authorities_observed') }}
    where la_code not in (select la_code from retired) and la_code not like '% / %'
    union all
    select la_code, name_as_published, 'name table (seeds/la_name_aliases.csv)'
    from {{ ref('la_name_aliases') }}
)

select distinct {{ normalise_la_name('name') }} as normalised_name, la_code, matched_by
from names

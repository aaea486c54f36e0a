-- Every LA return's figures as shown, one row per LA, collection year, measure, breakdown and
-- category (orchestration/lib/returns/sql/ssda903_figures.sql and cin_census_figures.sql count
-- them). note says what a figure could not see (how far back the re-referral look-back reached).

with source as (
    select * from {{ source('raw_returns', 'la_return_figures') }}
),

renamed as (
    select
        la_code,
        cast(collection_year as integer)    as time_period,
        measure                             as indicator_id,
        breakdown,
        category,
        cast(value as double)               as value,
        status,
        release,
        validation_issues,
        note,
        counted_at
    from source
)

select * from renamed

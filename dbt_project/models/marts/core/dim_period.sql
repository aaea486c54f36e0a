-- The calendar of periods facts refer to. time_period is always an integer year; what it
-- means depends on the period type. Years cover every source from the 2008-09 outturn on.

with years as (
    select cast(y as integer) as y from range(2005, 2031) as t(y)
),

types as (
    select * from (values
        ('reporting_year_31_march', false, 'Year ending 31 March (CLA, CIN and child protection collections; counts at 31 March are the year''s end)'),
        ('financial_year',          false, 'Financial year 1 April to 31 March, stored as the year it ends (expenditure)'),
        ('mid_year_30_june',        true,  'ONS mid-year population estimate at 30 June'),
        ('workforce_30_september',  true,  'Children''s social work workforce census at 30 September'),
        ('index_edition',           true,  'Edition of a deprivation index (IoD2019 ranks LSOAs on data mostly from 2015-16)')
    ) as t(period_type, is_point_in_time, description)
)

select
    types.period_type,
    years.y                                                            as time_period,
    case types.period_type
        when 'reporting_year_31_march' then 'year ending 31 March ' || years.y
        when 'financial_year' then (years.y - 1) || '-' || right(cast(years.y as varchar), 2)
        when 'mid_year_30_june' then 'mid-' || years.y
        when 'workforce_30_september' then '30 September ' || years.y
        when 'index_edition' then 'IoD' || years.y
    end                                                                as period_label,
    case types.period_type
        when 'reporting_year_31_march' then make_date(years.y - 1, 4, 1)
        when 'financial_year' then make_date(years.y - 1, 4, 1)
        when 'mid_year_30_june' then make_date(years.y, 6, 30)
        when 'workforce_30_september' then make_date(years.y, 9, 30)
        when 'index_edition' then make_date(years.y, 9, 26)
    end                                                                as start_date,
    case types.period_type
        when 'reporting_year_31_march' then make_date(years.y, 3, 31)
        when 'financial_year' then make_date(years.y, 3, 31)
        when 'mid_year_30_june' then make_date(years.y, 6, 30)
        when 'workforce_30_september' then make_date(years.y, 9, 30)
        when 'index_edition' then make_date(years.y, 9, 26)
    end                                                                as end_date,
    case when types.period_type in ('reporting_year_31_march', 'financial_year') then years.y
         else years.y + 1 end                                          as reporting_year,
    types.is_point_in_time,
    types.description
from types
cross join years

-- Question: do LAs that Ofsted judges better spend more or less on children's social care, and
-- how many children do they look after?
-- Parameters: reporting_year (year to 31 March; default 2025). Spend is the financial year that
--   ends on that 31 March (2025 = 2024-25), the judgement the one in effect at 31 March.
-- Medians, not means: a few LAs with very high unit costs would pull a mean.
-- Reads: marts.mart_la_year_profile
-- One row per Ofsted overall effectiveness judgement (1 Outstanding to 4 Inadequate), then LAs not yet judged.
-- columns: ofsted_grade, ofsted_overall_effectiveness, las, las_with_spend, median_spend_per_child_gbp, median_spend_per_child_looked_after_gbp, median_cla_rate_per_10k, median_sw_agency_rate_pct
SET VARIABLE reporting_year = 2025;

select
    ofsted_grade,
    ofsted_overall_effectiveness,
    count(*) as las,
    count(csc_spend_per_child_gbp) as las_with_spend,
    median(csc_spend_per_child_gbp) as median_spend_per_child_gbp,
    median(cla_spend_per_child_looked_after_gbp) as median_spend_per_child_looked_after_gbp,
    median(cla_rate_per_10k) as median_cla_rate_per_10k,
    median(sw_agency_rate_pct) as median_sw_agency_rate_pct
from marts.mart_la_year_profile
where reporting_year = getvariable('reporting_year')
group by ofsted_grade, ofsted_overall_effectiveness
order by ofsted_grade nulls last;

{{ stage_ees_tidy('raw_cin', 'cin_d4_cpps_at31march_by_category_of_abuse') }}

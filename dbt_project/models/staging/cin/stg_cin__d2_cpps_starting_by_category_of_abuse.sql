{{ stage_ees_tidy('raw_cin', 'cin_d2_cpps_starting_by_category_of_abuse') }}

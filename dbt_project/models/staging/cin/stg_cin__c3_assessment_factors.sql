{{ stage_ees_tidy('raw_cin', 'cin_c3_assessment_factors') }}

{{ stage_ees_tidy('raw_cin', 'cin_c2_assessments') }}

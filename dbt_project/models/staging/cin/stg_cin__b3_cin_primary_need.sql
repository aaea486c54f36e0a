{{ stage_ees_tidy('raw_cin', 'cin_b3_cin_primary_need') }}

{{ stage_ees_tidy('raw_cin', 'cin_d1_child_protection_plans') }}

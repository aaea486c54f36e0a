{{ stage_ees_tidy('raw_cin', 'cin_b7_child_in_need_plans') }}

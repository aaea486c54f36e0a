{{ stage_ees_tidy('raw_cin', 'cin_b1_children_in_need') }}

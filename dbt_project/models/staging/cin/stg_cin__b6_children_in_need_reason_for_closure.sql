{{ stage_ees_tidy('raw_cin', 'cin_b6_children_in_need_reason_for_closure') }}

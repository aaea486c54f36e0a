{{ stage_ees_tidy('raw_cin', 'cin_b4_children_in_need_duration_of_open_episode') }}

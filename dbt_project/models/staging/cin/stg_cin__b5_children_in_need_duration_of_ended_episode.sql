{{ stage_ees_tidy('raw_cin', 'cin_b5_children_in_need_duration_of_ended_episode') }}

{{ stage_ees_tidy('raw_cin', 'cin_b2_children_in_need_recorded_disability') }}

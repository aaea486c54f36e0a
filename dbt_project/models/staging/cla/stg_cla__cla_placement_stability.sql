{{ stage_ees_tidy('raw_cla', 'cla_placement_stability') }}

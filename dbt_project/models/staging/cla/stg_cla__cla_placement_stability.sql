{{ stage_ees_tidy('raw_cla', 'cla_placement_stability', measure_column=['cla_group', 'placement_stability']) }}

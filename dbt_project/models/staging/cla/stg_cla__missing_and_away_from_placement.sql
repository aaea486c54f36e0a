{{ stage_ees_tidy('raw_cla', 'cla_missing', measure_column=['cla_group']) }}

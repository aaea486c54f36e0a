{{ stage_ees_tidy('raw_cla', 'care_leavers_in_touch', measure_column=['age', 'in_touch']) }}

{{ stage_ees_tidy('raw_cla', 'cla_la_of_placement') }}

{{ stage_ees_tidy('raw_cla', 'cla_started_characteristics') }}

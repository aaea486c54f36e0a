{{ stage_ees_tidy('raw_cla', 'cla_number_and_rate_per_10k') }}

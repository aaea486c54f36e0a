{{ stage_ees_tidy('raw_cin', 'cin_d8_cpps_ending_in_first_6months_by_duration') }}

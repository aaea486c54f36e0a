{{ stage_ees_tidy('raw_cin', 'cin_d7_cpps_ending_by_duration') }}

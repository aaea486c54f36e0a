{{ stage_ees_tidy('raw_cin', 'cin_d6_cpps_reviewed_within_timescales') }}

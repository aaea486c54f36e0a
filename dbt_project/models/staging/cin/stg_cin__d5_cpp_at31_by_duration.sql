{{ stage_ees_tidy('raw_cin', 'cin_d5_cpp_at31_by_duration') }}

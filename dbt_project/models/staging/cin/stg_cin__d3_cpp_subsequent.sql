{{ stage_ees_tidy('raw_cin', 'cin_d3_cpp_subsequent') }}

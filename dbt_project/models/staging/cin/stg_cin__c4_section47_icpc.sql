{{ stage_ees_tidy('raw_cin', 'cin_c4_section47_icpc') }}

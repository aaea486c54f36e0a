{{ stage_ees_tidy('raw_cin', 'cin_c1_referrals', measure_column='category') }}

{{ stage_ees_tidy('raw_cin', 'cin_c1_referrals') }}

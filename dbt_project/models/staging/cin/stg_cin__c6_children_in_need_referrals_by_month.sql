{{ stage_ees_tidy('raw_cin', 'cin_c6_children_in_need_referrals_by_month') }}

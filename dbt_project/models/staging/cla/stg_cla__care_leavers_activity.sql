{{ stage_ees_tidy('raw_cla', 'care_leavers_activity') }}

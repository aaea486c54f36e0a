{{ stage_ees_tidy('raw_workforce', 'csww_indicators') }}

{{ stage_sfr_wide('raw_cla', 'cla_sfr_started') }}

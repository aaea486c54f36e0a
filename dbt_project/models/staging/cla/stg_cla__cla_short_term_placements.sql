{{ stage_ees_tidy('raw_cla', 'cla_short_term_placements') }}

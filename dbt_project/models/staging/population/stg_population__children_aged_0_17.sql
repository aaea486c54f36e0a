{{ stage_ees_tidy('raw_population', 'population_0_17') }}

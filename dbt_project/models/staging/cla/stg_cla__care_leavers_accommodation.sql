{{ stage_ees_tidy('raw_cla', 'care_leavers_accommodation', measure_column=['age', 'accommodation_suitability']) }}

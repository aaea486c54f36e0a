{{ stage_ees_tidy('raw_cla', 'cla_ceased_adoption_sgo') }}

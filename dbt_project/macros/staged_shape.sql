{#-
  The shape every staged EES and SFR family has (stage_ees_tidy, stage_sfr_wide): geography,
  measure, each value column as a value and a status, then where the row came from.
-#}

{#- The common staged shape: geography, measure, then each value column as value + status. -#}
{% macro select_staged(value_columns) -%}
select
    source_family, time_period, geographic_level, country_code, region_code, region_name,
    la_code_dfe, la_code, la_name, measure,
    {%- for column in value_columns %}
    {{ column }}__parsed.value  as {{ column }},
    {{ column }}__parsed.status as {{ column }}_status,
    {%- endfor %}
    release, release_year, source_file, source_row
from renamed
{%- endmacro %}


{#- The lineage columns every staged family ends with. -#}
{% macro staged_lineage() -%}
        _release                                                        as release,
        {{ release_year('_release') }}                               as release_year,
        _source_file                                                    as source_file,
        _row_number                                                     as source_row
{%- endmacro %}

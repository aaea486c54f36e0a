{#- Where a staged row came from: the loader's lineage columns, renamed (every staging model). -#}
{% macro source_lineage() -%}
        _release                                                        as release,
        _source_file                                                    as source_file,
        _row_number                                                     as source_row
{%- endmacro %}

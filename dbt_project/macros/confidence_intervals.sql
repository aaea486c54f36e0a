{#-
  95% confidence intervals as the OHID public health profiles (Fingertips) compute them, in the
  formulas of their R package, PHEindicatormethods (github.com/ukhsa-collaboration/PHEindicatormethods):

  - a rate, count x over population n (R/Rates.R, phe_rate): Byar's approximation of the Poisson
    limits for x >= 10 (R/Byars.R, byars_lower and byars_upper; Breslow and Day 1987),
        lower = x (1 - 1/(9x) - z/(3 sqrt x))^3
        upper = (x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3,
    and the exact Poisson limits for x < 10, qchisq(0.025, 2x)/2 and qchisq(0.975, 2x+2)/2
    (Armitage and Berry 2002), listed below (DuckDB has no chi-squared quantile; the test
    suite recomputes them from the Poisson distribution); each limit / n x multiplier.
  - a proportion, x of n (R/Wilson.R, wilson_lower and wilson_upper; Wilson 1927, Newcombe and
    Altman 2000): (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2 (n + z^2)), x 100 for a percentage.

  z = 1.959963984540054, the 97.5th centile of the standard normal distribution.
-#}

{% macro z_95() -%} 1.959963984540054 {%- endmacro %}

{% macro poisson_lower_95(x) -%}
(case
    when {{ x }} >= 10 then {{ x }} * power(1 - 1 / (9 * {{ x }}) - {{ z_95() }} / (3 * sqrt({{ x }})), 3)
    else [0.0, 0.025318, 0.242209, 0.618672, 1.089865, 1.623486, 2.201894, 2.814363, 3.453832, 4.115373][{{ x }}::integer + 1]
end)
{%- endmacro %}

{% macro poisson_upper_95(x) -%}
(case
    when {{ x }} >= 10 then ({{ x }} + 1) * power(1 - 1 / (9 * ({{ x }} + 1)) + {{ z_95() }} / (3 * sqrt({{ x }} + 1)), 3)
    else [3.688879, 5.571643, 7.224688, 8.767273, 10.241589, 11.668332, 13.059474, 14.422675, 15.763189, 17.084803][{{ x }}::integer + 1]
end)
{%- endmacro %}

{% macro wilson_lower_95(x, n) -%}
((2 * {{ x }} + {{ z_95() }} ^ 2 - {{ z_95() }} * sqrt({{ z_95() }} ^ 2 + 4 * {{ x }} * (1 - {{ x }} / {{ n }}))) / 2 / ({{ n }} + {{ z_95() }} ^ 2))
{%- endmacro %}

{% macro wilson_upper_95(x, n) -%}
((2 * {{ x }} + {{ z_95() }} ^ 2 + {{ z_95() }} * sqrt({{ z_95() }} ^ 2 + 4 * {{ x }} * (1 - {{ x }} / {{ n }}))) / 2 / ({{ n }} + {{ z_95() }} ^ 2))
{%- endmacro %}

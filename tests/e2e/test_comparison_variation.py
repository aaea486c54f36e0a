"""mart_variation: the children looked after rate of 2024-25 on deprivation (IDACI), refitted
here with numpy's weighted least squares from the facts themselves, gives the mart's intercept,
slope, R², expected values and standardised residuals, and its funnel limits agree with the
exact Poisson quantile. Reads this module's copy of the session's published warehouse and
changes nothing in it.
"""

import math

import pytest

from tests.support.published import query

pytestmark = pytest.mark.e2e


def _poisson_quantile(p, mean):
    """The smallest k with P(X <= k) >= p for X ~ Poisson(mean), summed on the log scale."""
    k, cdf = 0, 0.0
    while True:
        cdf += math.exp(k * math.log(mean) - mean - math.lgamma(k + 1))
        if cdf >= p:
            return k
        k += 1


def test_variation_fit_reproduced_independently(published):
    """mart_variation: the children looked after rate of 2024-25 on IDACI, refitted with numpy's
    least squares on sqrt-weighted data from the facts themselves (fct_la_indicator, the ONS
    mid-2024 population in fct_population, fct_deprivation), not from the mart's inputs."""
    import numpy as np

    rows = query(
        published,
        """
        select f.la_code, f.value, pop.population_0_17, d.idaci_avg_score
        from marts.fct_la_indicator as f
        inner join marts.fct_population as pop on pop.la_code = f.la_code and pop.mid_year = 2024
        inner join marts.fct_deprivation as d on d.la_code = f.la_code
        where f.indicator_id = 'cla_rate_per_10k' and f.time_period = 2025 and f.is_latest
          and f.value > 0 and pop.population_0_17 > 0 and d.idaci_avg_score is not null
        order by f.la_code""",
    )
    codes = [r[0] for r in rows]
    y = np.log([r[1] for r in rows])
    w = np.array([r[2] for r in rows], dtype=float)
    x = np.array([r[3] for r in rows])
    design = np.column_stack([np.ones_like(x), x])
    (intercept, slope), *_ = np.linalg.lstsq(design * np.sqrt(w)[:, None], y * np.sqrt(w), rcond=None)
    fitted = intercept + slope * x
    y_mean = np.average(y, weights=w)
    r_squared = 1 - np.sum(w * (y - fitted) ** 2) / np.sum(w * (y - y_mean) ** 2)
    sigma = math.sqrt(np.sum(w * (y - fitted) ** 2) / (len(y) - 2))

    mart = {
        r[0]: r[1:]
        for r in query(
            published,
            """
        select la_code, intercept, slope, r_squared, las_in_model, expected_value, standardised_residual,
               expected_count, funnel_upper_95, funnel_position, value
        from marts.mart_variation
        where indicator_id = 'cla_rate_per_10k' and time_period = 2025 and deprivation_measure = 'idaci'""",
        )
    }
    assert sorted(mart) == codes and len(codes) >= 100
    ((m_intercept, m_slope, m_r_squared, las),) = {v[:4] for v in mart.values()}  # the same on every row
    assert las == len(codes)
    assert m_slope == pytest.approx(slope, rel=1e-9)
    assert m_intercept == pytest.approx(intercept, rel=1e-9)
    assert m_r_squared == pytest.approx(r_squared, rel=1e-9)
    assert 0.3 < r_squared < 0.7  # deprivation explains much of the variation in CLA rates, not all of it
    # Birmingham, Kent, Blackpool, Richmond upon Thames: expected value and standardised residual
    for code in ("E08000025", "E10000016", "E06000009", "E09000027"):
        i = codes.index(code)
        expected, z_score = mart[code][4], mart[code][5]
        assert expected == pytest.approx(math.exp(fitted[i]), rel=1e-9), code
        assert z_score == pytest.approx((y[i] - fitted[i]) * math.sqrt(w[i]) / sigma, rel=1e-9), code
    # Byar's upper 95% limit is within a child of the exact Poisson 97.5% quantile of the expected count
    expected_count, upper, position, value = mart["E08000025"][6:10]
    assert upper * w[codes.index("E08000025")] / 10_000 == pytest.approx(
        _poisson_quantile(0.975, expected_count), abs=1.5
    )
    assert (position in ("above_95", "above_99_8")) == (value > upper)

"""Statistical neighbours and benchmarks: dim_statistical_neighbour holds DfE's 2021 and 2025
models; fct_la_benchmark's rank, quartile band, neighbour mean and median, z-score and changes
are recomputed here from fct_la_indicator and dim_statistical_neighbour (polarity decides
the rank's direction, an abolished neighbour is followed to its successors), and its 95%
confidence intervals (Byar, Wilson, exact Poisson under 10 events) and significance against
England are recomputed independently. Reads this module's copy of the session's published
warehouse and changes nothing in it.
"""

import math

import duckdb
import pytest

from tests.support.published import query

pytestmark = pytest.mark.e2e


def test_statistical_neighbours(published):
    # lookups/dfe_stat_neighbours_2025/sn_may_2025.xlsx: Barking and Dagenham (301) -> 308 Enfield, 821 Luton, both "Close"
    rows = query(
        published,
        "select neighbour_rank, neighbour_la_code, closeness from marts.dim_statistical_neighbour "
        "where model_year = 2025 and la_code = 'E09000002' and neighbour_rank <= 2 order by 1",
    )
    assert rows == [(1, "E09000010", "close"), (2, "E06000032", "close")]
    counts = dict(
        query(published, "select model_year, count(distinct la_code) from marts.dim_statistical_neighbour group by 1")
    )
    assert counts == {2021: 156, 2025: 158}
    # the 2021 model predates Cumberland and Westmorland and Furness: no neighbours for them there
    assert query(
        published,
        "select count(*) from marts.dim_statistical_neighbour where model_year = 2021 and la_code = 'E06000063'",
    ) == [(0,)]


def _latest_values(warehouse, indicator, year):
    return dict(
        query(
            warehouse,
            "select la_code, value from marts.fct_la_indicator where indicator_id = ? and time_period = ? "
            "and is_latest and value is not null",
            (indicator, year),
        )
    )


def _benchmark(warehouse, la_code, indicator, year, model):
    cursor_sql = (
        "select * from marts.fct_la_benchmark where la_code = ? and indicator_id = ? and time_period = ? "
        "and neighbour_model_year = ?"
    )
    with duckdb.connect(str(warehouse / "csc.duckdb"), read_only=True) as con:
        cursor = con.execute(cursor_sql, (la_code, indicator, year, model))
        (row,) = cursor.fetchall()
        return dict(zip([d[0] for d in cursor.description], row))


def _neighbour_values(warehouse, la_code, model, year, values):
    """The LA's neighbours in the model, an abolished one (last year before this one) replaced by
    its successors, each counted once and never the LA itself; and their values."""
    listed = query(
        warehouse,
        "select sn.neighbour_la_code, la.last_year from marts.dim_statistical_neighbour as sn "
        "join marts.dim_local_authority as la on la.la_code = sn.neighbour_la_code "
        "where sn.model_year = ? and sn.la_code = ?",
        (model, la_code),
    )
    standing_in = set()
    for code, last_year in listed:
        if last_year is not None and last_year < year:
            standing_in |= {
                s
                for (s,) in query(
                    warehouse,
                    "select successor_la_code from marts.bridge_la_lineage where predecessor_la_code = ?",
                    (code,),
                )
            }
        else:
            standing_in.add(code)
    standing_in.discard(la_code)
    return standing_in, [values[c] for c in standing_in if c in values]


def test_benchmark_rank_band_and_neighbours_of_one_la(published):
    """Birmingham's re-referrals in 2024-25 (lower is better), against every LA and its 2025
    neighbours, recomputed here from fct_la_indicator and dim_statistical_neighbour: rank with
    ties sharing the lowest, LAIT's band from R's default quartiles (statistics' inclusive method
    is R's type 7), the neighbour mean and median."""
    import statistics

    values = _latest_values(published, "rereferrals_pct", 2025)
    row = _benchmark(published, "E08000025", "rereferrals_pct", 2025, 2025)
    own = values["E08000025"]
    assert (own, row["polarity"], row["is_default_model"]) == (20.7, "lower_is_better", True)
    assert row["rank"] == 1 + sum(v < own for v in values.values()) == 84
    assert row["las_ranked"] == len(values) == 153
    q1, q2, q3 = statistics.quantiles(values.values(), n=4, method="inclusive")
    assert (row["band_lower_quartile"], row["band_median"], row["band_upper_quartile"]) == pytest.approx((q1, q2, q3))
    assert row["quartile_band"] == ("A" if own <= q1 else "B" if own <= q2 else "C" if own <= q3 else "D") == "C"
    assert row["band_meaning"] == "A best" and row["rank_meaning"] == "1 = best"
    _standing_in, neighbour_values = _neighbour_values(published, "E08000025", 2025, 2025, values)
    assert row["neighbours_with_value"] == len(neighbour_values) == 10
    assert row["neighbour_mean"] == pytest.approx(statistics.mean(neighbour_values)) == pytest.approx(21.37)
    assert row["neighbour_median"] == pytest.approx(statistics.median(neighbour_values))
    assert row["z_score"] == pytest.approx((own - statistics.mean(values.values())) / statistics.stdev(values.values()))
    # England and the West Midlands as published; the change on 2023-24 and 2021-22
    assert (row["england_value"], row["region_value"]) == (22.6, 19.5)
    assert row["change_on_previous_year"] == pytest.approx(-1.7) and row["change_over_three_years"] == pytest.approx(
        1.6
    )


def test_benchmark_neutral_indicator_is_ranked_from_the_highest_and_banded_by_value(published):
    values = _latest_values(published, "cla_rate_per_10k", 2025)
    row = _benchmark(published, "E08000025", "cla_rate_per_10k", 2025, 2025)
    assert row["rank"] == 1 + sum(v > 79 for v in values.values())
    assert (row["rank_meaning"], row["band_meaning"], row["quartile_band"]) == ("1 = highest", "A lowest", "C")


def test_benchmark_follows_an_abolished_neighbour_to_its_successors(published):
    """The 2021 model lists Cumbria among Derbyshire's neighbours; in 2024-25 Cumberland and
    Westmorland and Furness stand for it."""
    values = _latest_values(published, "cla_rate_per_10k", 2025)
    row = _benchmark(published, "E10000007", "cla_rate_per_10k", 2025, 2021)
    standing_in, neighbour_values = _neighbour_values(published, "E10000007", 2021, 2025, values)
    assert {"E06000063", "E06000064"} <= standing_in and "E10000006" not in standing_in
    assert (row["neighbours_in_model"], row["neighbours_compared"], row["neighbours_by_succession"]) == (10, 11, 2)
    assert row["neighbours_with_value"] == len(neighbour_values) == 11
    assert row["neighbour_mean"] == pytest.approx(sum(neighbour_values) / len(neighbour_values)) == pytest.approx(71.0)
    assert row["is_default_model"] is False


def _byar(x, z=1.959963984540054):
    return (
        x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3,
        (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3,
    )


def _wilson(x, n, z=1.959963984540054):
    root = z * math.sqrt(z**2 + 4 * x * (1 - x / n))
    return (2 * x + z**2 - root) / 2 / (n + z**2), (2 * x + z**2 + root) / 2 / (n + z**2)


def _exact_poisson(x, tail=0.025):
    """The exact 95% Poisson limits, by bisection on the Poisson distribution (no scipy)."""

    def cdf(k, mu):
        return sum(math.exp(-mu) * mu**i / math.factorial(i) for i in range(k + 1))

    def solve(f):  # f increasing in mu
        lo, hi = 0.0, 100.0
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if f(mid) > 0 else (mid, hi)
        return (lo + hi) / 2

    lower = 0.0 if x == 0 else solve(lambda mu: (1 - cdf(x - 1, mu)) - tail)
    return lower, solve(lambda mu: tail - cdf(x, mu))


def test_benchmark_confidence_intervals_and_significance(published):
    # Byar: Birmingham's 2,317 children looked after at 31 March 2025 over its mid-2024 population
    row = _benchmark(published, "E08000025", "cla_rate_per_10k", 2025, 2025)
    (population,) = query(
        published,
        "select value from marts.fct_la_indicator where la_code = 'E08000025' "
        "and indicator_id = 'population_0_17' and time_period = 2024 and is_latest",
    )[0]
    assert (row["ci_method"], row["ci_numerator"], row["ci_denominator"]) == ("Byar", 2317, population)
    lower, upper = _byar(2317)
    assert (row["ci_lower_95"], row["ci_upper_95"]) == pytest.approx(
        (lower / population * 1e4, upper / population * 1e4)
    )
    assert row["ci_lower_95"] == pytest.approx(75.93, abs=0.01) and row["ci_upper_95"] == pytest.approx(82.41, abs=0.01)
    assert row["england_value"] == 67 and row["significance_vs_england"] == "higher"
    # Wilson: Birmingham's re-referrals, 20.7% of 16,324 referrals
    row = _benchmark(published, "E08000025", "rereferrals_pct", 2025, 2025)
    (referrals,) = query(
        published,
        "select value from marts.fct_la_indicator where la_code = 'E08000025' "
        "and indicator_id = 'referrals_count' and time_period = 2025 and is_latest",
    )[0]
    x = round(20.7 / 100 * referrals)
    assert (row["ci_method"], row["ci_numerator"], row["ci_denominator"]) == ("Wilson", x, referrals)
    lower, upper = _wilson(x, referrals)
    assert (row["ci_lower_95"], row["ci_upper_95"]) == pytest.approx((lower * 100, upper * 100))
    assert row["ci_upper_95"] < 22.6 and row["significance_vs_england"] == "lower"
    # exact Poisson under 10 events: every such interval matches the Poisson distribution's limits
    rows = query(
        published,
        "select ci_numerator, ci_denominator, ci_lower_95, ci_upper_95, indicator_id from marts.fct_la_benchmark "
        "where ci_method = 'exact Poisson' and is_default_model",
    )
    assert rows and all(x < 10 for x, *_ in rows)
    for x, n, lower, upper, _ in rows:
        exact = _exact_poisson(int(x))
        assert (lower, upper) == pytest.approx((exact[0] / n * 1e4, exact[1] / n * 1e4), rel=1e-5)
    # every interval holds its own estimate, and significance follows the interval
    assert query(
        published,
        "select count(*) from marts.fct_la_benchmark where ci_lower_95 is not null and not "
        "(ci_lower_95 <= ci_numerator / ci_denominator * case ci_method when 'Wilson' then 100 else 10000 end "
        "and ci_numerator / ci_denominator * case ci_method when 'Wilson' then 100 else 10000 end <= ci_upper_95)",
    ) == [(0,)]

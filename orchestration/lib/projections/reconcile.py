"""LA forecasts that add up to their region and to England.

Bottom-up reconciliation ("BottomUp" in hierarchicalforecast; Hyndman and Athanasopoulos,
Forecasting: Principles and Practice, 3rd ed., section 11.2): an LA's forecast is its method's
own, and a region's and England's are the sums of their LAs' plus the part of the aggregate's
own published figure that no LA forecast covers (``unallocated``: an LA too new or too suppressed
to forecast, RO3 returns not made), carried forward from the newest year. An LA therefore reads
the forecast its own history gives; the combinations that also move LA forecasts (MinTrace, WLS)
would spread that part over the LAs, and would change an LA's last value carried forward.

A sum's interval: the LAs' errors move together (a national rise lifts most of them), so adding
their variances as if independent would make it far too narrow. A region and England keep the
width of their own base forecast's intervals, relative to its point, around the summed point;
where an aggregate has no base forecast or it has no interval, the LAs' variances add.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import stats

from orchestration.lib.projections.methods import BOUNDS
from orchestration.lib.projections.vintages import ENGLAND

Z = {level: float(stats.norm.ppf(0.5 + level / 200)) for level in (80, 95)}


def summing_matrix(las: list[str], region_of: dict[str, str]) -> tuple[list[tuple[str, str]], np.ndarray]:
    """The aggregates (England, then each region with an LA here) and S: aggregate x LA, 1 where
    the aggregate contains the LA."""
    regions = sorted({region_of[la] for la in las})
    nodes = [("england", ENGLAND), *(("region", r) for r in regions)]
    s = np.zeros((len(nodes), len(las)))
    s[0, :] = 1
    for j, la in enumerate(las):
        s[1 + regions.index(region_of[la]), j] = 1
    return nodes, s


def reconcile_forecasts(forecasts: pl.DataFrame, region_of: dict[str, str]) -> pl.DataFrame:
    """Within each indicator, origin, method and horizon: LA rows as they are, region and
    England rows replaced by the sums of the LAs forecast plus their unallocated part, with the
    interval widths above. ``forecasts`` carries each series' ``last_value``."""
    keys = ["indicator_id", "origin_year", "method", "horizon"]
    las = forecasts.filter((pl.col("area_level") == "la") & pl.col("area_code").is_in(list(region_of)))
    out = las.select(*keys, "area_level", "area_code", "point", *BOUNDS, unallocated=pl.lit(None, pl.Float64))
    base = {
        (*k, level, code): (point, lo95, hi95, lo80, hi80, last)
        for *k, level, code, point, lo95, hi95, lo80, hi80, last in forecasts.filter(pl.col("area_level") != "la")
        .select(*keys, "area_level", "area_code", "point", "lo_95", "hi_95", "lo_80", "hi_80", "last_value")
        .iter_rows()
    }
    rows = []
    for key, group in las.group_by(keys, maintain_order=True):
        codes = group["area_code"].to_list()
        nodes, s = summing_matrix(codes, region_of)
        summed = s @ group["point"].to_numpy()
        summed_last = s @ group["last_value"].to_numpy()
        sigma = ((group["hi_95"] - group["lo_95"]) / (2 * Z[95])).fill_nan(0.0).fill_null(0.0).to_numpy()
        independent = np.sqrt(s @ sigma**2)
        for (level, code), point, last, sd in zip(nodes, summed, summed_last, independent):
            own = base.get((*key, level, code))
            unallocated = float(own[5] - last) if own and own[5] is not None else 0.0
            point = float(point) + unallocated
            # an aggregate whose own forecast has no interval (a pool of one: England's pooled growth)
            # takes its LAs' variances
            if own and own[0] and all(b is not None and np.isfinite(b) for b in own[1:5]):
                ratio = point / own[0]
                bounds = (own[3] * ratio, own[4] * ratio, own[1] * ratio, own[2] * ratio)
            else:
                bounds = (point - Z[80] * sd, point + Z[80] * sd, point - Z[95] * sd, point + Z[95] * sd)
            rows.append((*key, level, code, point, *bounds, unallocated))
    aggregates = pl.DataFrame(rows, schema=out.schema, orient="row")
    return pl.concat([out, aggregates])

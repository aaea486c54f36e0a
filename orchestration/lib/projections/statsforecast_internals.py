"""The one module that reaches into statsforecast's private code: the quantiles of its intervals,
computed once per set of levels instead of once per series.

statsforecast 2.1 turns every series' standard errors into intervals through
``statsforecast.utils._quantiles`` (imported by name into ``statsforecast.models`` too), which
builds a scipy frozen distribution each time only to read the same quantiles of N(0, 1) off it;
scipy formats a frozen distribution's docstrings when it is made, and over the backtest's thousands
of short series that is most of what forecasting with intervals costs. Inside
:func:`cached_quantiles` a normal distribution's quantiles come from a cache: the same numbers.
Any other distribution, or one with parameters, goes to statsforecast's own function.

tests/unit/test_internals.py fails, naming the piece, when an upgrade changes the code recorded here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import numpy as np

# What this was written against (orchestration.lib.core.versions.upstream_digest)
UPSTREAM = {
    "statsforecast.utils:_quantiles": "cf4f7ba53407ef0d",
    "statsforecast.utils:_calculate_intervals": "fb5aceb93e9f6d32",
}


@contextmanager
def cached_quantiles() -> Iterator[None]:
    from statsforecast import models, utils

    original = utils._quantiles

    @cache
    def normal(levels: tuple[float, ...]) -> np.ndarray:
        return original(np.asarray(levels))

    def quantiles(level, distribution="normal", dist_params=None):
        if distribution == "normal" and dist_params is None:
            return normal(tuple(np.atleast_1d(np.asarray(level, dtype=float)).tolist())).copy()
        return original(level, distribution=distribution, dist_params=dist_params)

    utils._quantiles, models._quantiles = quantiles, quantiles
    try:
        yield
    finally:
        utils._quantiles, models._quantiles = original, original

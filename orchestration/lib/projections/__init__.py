"""Demand and spend projected per LA, region and England, with a backtest scored on the data as it was published."""

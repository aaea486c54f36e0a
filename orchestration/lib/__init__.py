"""Shared machinery: catalogue, fetch, parse, load, expectations, publication.

Domains under ``orchestration.defs`` import from here; they never import each other.
"""

"""Counting the SQLite connections a piece of code opens (tests of the project's event log, and
benchmarks/bench_event_log.py)."""

from __future__ import annotations

import sqlite3


class Connections:
    """Counts the SQLite connections opened (SQLAlchemy's dialect calls sqlite3.dbapi2.connect)."""

    def __enter__(self):
        self.count = 0
        self._connect = sqlite3.dbapi2.connect

        def counting(*args, **kwargs):
            self.count += 1
            return self._connect(*args, **kwargs)

        sqlite3.dbapi2.connect = counting
        return self

    def __exit__(self, *exc):
        sqlite3.dbapi2.connect = self._connect

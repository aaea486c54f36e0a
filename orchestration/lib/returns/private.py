"""The private area: where an LA's child-level returns live, owner-only, and nothing published
reads. It holds the landed files by sha256, the pseudonymised child-level database, the key
that pseudonymises child ids, DfE's rules' reports, and the validator's own logs.

Pseudonymisation on landing follows what regional pipelines do (Social Finance's
liia-tools-pipeline degrades dates of birth to the month, ``to_month_only_dob``, and postcodes by
their unit, ``to_short_postcode``), one step further for postcodes: the LA's child id becomes a
keyed hash (HMAC-SHA256 with a key generated per installation, kept here, never in git or a log),
dates of birth go to the month, postcodes to their outward code (the district), UPNs are not kept.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from orchestration.lib.core import files
from orchestration.lib.core.warehouse import DUCKDB_CONFIG
from orchestration.settings import Settings

DB_NAME = "returns.duckdb"
LOCK_NAME = ".returns.lock"
KEY_NAME = "pseudonym.key"
OWNER_ONLY_DIR, OWNER_ONLY_FILE = 0o700, 0o600


def owner_only_dir(path: Path) -> Path:
    """``path`` as a directory only its owner can enter (created if need be, and tightened if
    it exists with wider permissions)."""
    path.mkdir(parents=True, exist_ok=True, mode=OWNER_ONLY_DIR)
    if stat.S_IMODE(path.stat().st_mode) != OWNER_ONLY_DIR:
        path.chmod(OWNER_ONLY_DIR)
    return path


def private_dir(settings: Settings, *parts: str) -> Path:
    owner_only_dir(settings.private_dir)
    path = settings.private_dir.joinpath(*parts)
    for parent in reversed([path, *path.parents]):
        if parent.is_relative_to(settings.private_dir) and parent != settings.private_dir:
            owner_only_dir(parent)
    return path


def pseudonym_key(settings: Settings) -> bytes:
    """The installation's key: 32 random bytes, made once, readable by the owner alone. Losing it
    only means the next landing gives every child a new pseudonym."""
    path = private_dir(settings) / KEY_NAME
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
    return path.read_bytes()


class Pseudonymiser:
    """Keyed hashes of an LA's child ids: the same child in the same LA gets the same pseudonym in
    every year's return and in DfE's rules' issues; another LA's child with the same id does not."""

    def __init__(self, key: bytes, la_code: str):
        # HMAC-SHA256 of "<la_code>:<ID>": the keyed state after the LA's prefix, copied per child
        self._prefix = hmac.new(key, f"{la_code}:".encode(), hashlib.sha256)
        self._known: dict[str, str] = {}  # an id met in one table is met again in the next

    def child(self, child_id: str | None) -> str | None:
        if child_id is None:
            return None
        if child_id not in self._known:
            keyed = self._prefix.copy()
            keyed.update(child_id.strip().upper().encode())  # DfE's tool reads ids upper-cased
            self._known[child_id] = keyed.hexdigest()[:24]
        return self._known[child_id]

    def children(self, column: pl.Series) -> pl.Series:
        """Each id's pseudonym, hashed once per distinct id (a child's id repeats down a table)."""
        pseudonyms = {child: self.child(child) for child in column.drop_nulls().unique().to_list()}
        return column.replace_strict(pseudonyms, default=None, return_dtype=pl.Utf8).alias(column.name)


def postcode_district(column: str) -> pl.Expr:
    """A postcode's outward code (``EG19 7TT`` -> ``EG19``); a postcode written without its space
    loses its last three characters, the inward code."""
    clean = pl.col(column).str.to_uppercase().str.replace_all(r"\s+", " ").str.strip_chars()
    return (
        pl.when(clean.str.contains(" "))
        .then(clean.str.split(" ").list.first())
        .otherwise(clean.str.slice(0, clean.str.len_chars() - 3))
        .alias(column)
    )


def month_of(column: str) -> pl.Expr:
    return pl.col(column).dt.truncate("1mo").alias(column)


@contextmanager
def connect(settings: Settings, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """The pseudonymised child-level database, owner-only. DuckDB lets one process at a time hold
    the file, so a connection waits for the private area's lock (``csc refresh``, the inbox
    sensor's runs and ``csc status`` may each want it; every use is short)."""
    path = private_dir(settings) / DB_NAME
    if read_only and not path.exists():
        read_only = False  # nothing landed yet: create it, empty
    lock = os.open(private_dir(settings) / LOCK_NAME, os.O_RDWR | os.O_CREAT, OWNER_ONLY_FILE)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the descriptor closes, also if the process dies
        con = duckdb.connect(str(path), read_only=read_only, config=DUCKDB_CONFIG)
        try:
            yield con
        finally:
            con.close()
            for made in (path, path.with_name(path.name + ".wal")):
                if made.exists() and stat.S_IMODE(made.stat().st_mode) != OWNER_ONLY_FILE:
                    made.chmod(OWNER_ONLY_FILE)
    finally:
        os.close(lock)


def keep_file(settings: Settings, source: Path) -> tuple[str, Path]:
    """A return's file kept by its sha256 in the private area (once, however often it is sent)."""
    digest = files.sha256_file(source)
    target = private_dir(settings, "files") / digest
    if not target.exists():
        files.copy(source, target, durable=True)
        target.chmod(OWNER_ONLY_FILE)
    return digest, target

"""The Frictionless Data Package descriptor of the open-data export (``datapackage.json``):
one resource per mart, with its columns' types, descriptions and units, the primary and
foreign keys the dbt tests hold, the publishers' pages, the licence and the refresh id.

Specifications followed (checked with frictionless-py 5, which implements v1 and reads v2):
- Data Package: https://datapackage.org/standard/data-package/ (``licenses`` with an Open
  Definition ``name`` and ``path``, ``sources`` with ``title`` and ``path``, ``created``,
  ``resources``); custom properties are allowed, so the refresh id is ``refresh_id``.
- Data Resource: https://datapackage.org/standard/data-resource/ (``path`` relative to the
  descriptor, ``format``, ``mediatype``, ``encoding``, ``bytes``, ``hash`` as ``sha256:<hex>``).
- Table Schema: https://datapackage.org/standard/table-schema/ (field types and formats,
  ``bareNumber``, ``constraints.required``, ``missingValues``, ``primaryKey``, and
  ``foreignKeys`` at https://datapackage.org/standard/table-schema/#foreign-keys).
- CSV Dialect: https://datapackage.org/standard/table-dialect/ (the defaults: comma, double
  quote, a header row), so no ``dialect`` is given.
A field's ``unit`` is a custom property (the Table Schema has none): the indicator's unit from
``marts.dim_indicator`` when the column is named after an indicator, else what the name says.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb

EXPORT_SCHEMA = "marts"
DESCRIPTOR_NAME = "datapackage.json"
LICENCE = {
    "name": "OGL-UK-3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "title": "Open Government Licence v3.0",
}
PACKAGE_NAME = "csc-warehouse"

_INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
}
NAIVE_TIMESTAMPS = {"TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"}
# What a column's name says about its unit, when it is not named after an indicator.
_NAME_UNITS = (
    (re.compile(r"(^|_)(pct|percentage)($|_)"), "percent"),
    (re.compile(r"_gbp$"), "GBP"),
    (re.compile(r"rate_per_10(k|000)$"), "rate per 10,000 children aged under 18"),
    (re.compile(r"_days$"), "days"),
    (re.compile(r"(^|_)fte$"), "FTE"),
)


class ExportError(RuntimeError):
    pass


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class TableKeys:
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()


# --- keys, from the dbt project's tests -------------------------------------------------------


def keys_from_manifest(manifest: Mapping) -> dict[str, TableKeys]:
    """Primary and foreign keys of every mart, from the dbt tests that hold them: a ``unique``
    test or the project's ``unique_combination`` (the fewest columns, when several) is the primary
    key; ``relationships`` and ``relationships_combination`` tests to another mart are foreign
    keys. A test restricted by a ``where`` holds only for some rows, so it is no key."""
    nodes = manifest.get("nodes", {})
    marts = {
        uid: n for uid, n in nodes.items() if n.get("resource_type") == "model" and n.get("fqn", [])[1:2] == ["marts"]
    }
    table = {uid: n.get("alias") or n["name"] for uid, n in marts.items()}
    uniques: dict[str, list[tuple[str, ...]]] = {}
    foreign: dict[str, list[ForeignKey]] = {}
    for test in nodes.values():
        meta = test.get("test_metadata") or {}
        model = test.get("attached_node")
        if test.get("resource_type") != "test" or model not in marts or (test.get("config") or {}).get("where"):
            continue
        kwargs, kind = meta.get("kwargs") or {}, meta.get("name")
        if kind == "unique":
            uniques.setdefault(model, []).append((kwargs.get("column_name") or test["column_name"],))
        elif kind == "unique_combination":
            uniques.setdefault(model, []).append(tuple(kwargs["columns"]))
        elif kind in ("relationships", "relationships_combination"):
            parents = [p for p in (test.get("depends_on") or {}).get("nodes", []) if p != model and p in marts]
            if len(parents) != 1:
                continue  # a relationship to something that is not published
            if kind == "relationships":
                fields, to = (kwargs.get("column_name") or test["column_name"],), (kwargs["field"],)
            else:
                fields = tuple(kwargs["columns"])
                to = tuple(kwargs.get("fields") or kwargs["columns"])
            foreign.setdefault(model, []).append(ForeignKey(fields, table[parents[0]], to))
    keys = {}
    for uid, name in table.items():
        candidates = sorted(set(uniques.get(uid, [])), key=lambda k: (len(k), k))
        fks = tuple(sorted(set(foreign.get(uid, [])), key=lambda f: (f.resource, f.fields)))
        keys[name] = TableKeys(primary_key=candidates[0] if candidates else (), foreign_keys=fks)
    return keys


# --- the descriptor ---------------------------------------------------------------------------


def field_type(duckdb_type: str) -> dict:
    """The Table Schema type (and format) of a DuckDB column type, as the CSV writes it."""
    t = duckdb_type.upper()
    if t in _INTEGER_TYPES:
        return {"type": "integer"}
    if t in ("DOUBLE", "FLOAT", "REAL"):
        return {"type": "number"}
    if t.startswith("DECIMAL"):
        # exact in Parquet (DECIMAL(p,s)); in the CSV a plain number with a '.' and no symbol
        return {"type": "number", "bareNumber": True}
    if t == "BOOLEAN":
        return {"type": "boolean"}
    if t == "DATE":
        return {"type": "date"}
    if t in NAIVE_TIMESTAMPS or t == "TIMESTAMP WITH TIME ZONE":
        return {"type": "datetime"}
    if t == "TIME":
        return {"type": "time"}
    if t == "VARCHAR":
        return {"type": "string"}
    if t == "UUID":
        return {"type": "string", "format": "uuid"}
    raise ExportError(f"no open-data type for DuckDB type {duckdb_type}: say in datapackage.field_type how to write it")


def column_unit(name: str, duckdb_type: str, indicator_units: Mapping[str, str]) -> str | None:
    if field_type(duckdb_type)["type"] not in ("integer", "number"):
        return None
    if indicator_units.get(name):
        return indicator_units[name]
    for pattern, unit in _NAME_UNITS:
        if pattern.search(name):
            return unit
    return None


def _sources(con: duckdb.DuckDBPyConnection, catalogue) -> list[dict]:
    """The publishers behind the publication: every source with a file in it, with its page."""
    used = [
        r[0]
        for r in con.execute(
            "select distinct source from meta.refresh_source_files where source is not null order by 1"
        ).fetchall()
    ]
    by_name = {s.name: s for s in catalogue.sources} if catalogue is not None else {}
    out = []
    for name in used:
        source = by_name.get(name)
        if source is None:
            out.append({"title": name})
            continue
        entry = {"title": f"{source.publisher}: {source.publication}" if source.publication else source.publisher}
        if source.page:
            entry["path"] = source.page
        out.append(entry)
    return out


def describe(
    con: duckdb.DuckDBPyConnection,
    keys: Mapping[str, TableKeys],
    catalogue=None,
    files: Mapping[str, Mapping] | None = None,
) -> dict:
    """The Data Package descriptor of the publication ``con`` has open (its ``marts`` and
    ``meta.refresh``); ``files`` gives each table's written files (bytes, sha256)."""
    refresh = con.execute("select refresh_id, started_at, finished_at from meta.refresh").fetchall()
    if len(refresh) != 1:
        raise ExportError(f"the snapshot's meta.refresh has {len(refresh)} rows, not one")
    refresh_id, _started, finished = refresh[0]
    indicator_units: dict[str, str] = {}
    if con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = 'dim_indicator'", [EXPORT_SCHEMA]
    ).fetchone()[0]:
        indicator_units = dict(
            con.execute(
                f"select indicator_id, unit from {EXPORT_SCHEMA}.dim_indicator where unit is not null"
            ).fetchall()
        )
    tables = mart_tables(con)
    names = set(tables)
    resources = []
    for table, comment in tables.items():
        fields = []
        for column, dtype, nullable, col_comment in con.execute(
            "select column_name, data_type, is_nullable, comment from duckdb_columns() "
            "where schema_name = ? and table_name = ? order by column_index",
            [EXPORT_SCHEMA, table],
        ).fetchall():
            f = {"name": column, **field_type(dtype)}
            if col_comment:
                f["description"] = col_comment
            if unit := column_unit(column, dtype, indicator_units):
                f["unit"] = unit
            if not nullable:
                f["constraints"] = {"required": True}
            fields.append(f)
        schema: dict = {"fields": fields, "missingValues": [""]}
        k = keys.get(table, TableKeys())
        columns = {f["name"] for f in fields}
        if k.primary_key and set(k.primary_key) <= columns:
            schema["primaryKey"] = list(k.primary_key)
        fks = [
            {"fields": list(fk.fields), "reference": {"resource": fk.resource, "fields": list(fk.reference_fields)}}
            for fk in k.foreign_keys
            if fk.resource in names and set(fk.fields) <= columns
        ]
        if fks:
            schema["foreignKeys"] = fks
        resource = {
            "name": table,
            "path": f"csv/{table}.csv",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
        }
        if comment:
            resource["description"] = comment
        written = (files or {}).get(table)
        if written:
            resource["bytes"] = written["csv"]["bytes"]
            resource["hash"] = f"sha256:{written['csv']['sha256']}"
        resource["schema"] = schema
        # the same table as Parquet (a custom property: a resource has one format)
        resource["parquet"] = {
            "path": f"parquet/{table}.parquet",
            "format": "parquet",
            "mediatype": "application/vnd.apache.parquet",
        }
        if written:
            resource["parquet"].update(bytes=written["parquet"]["bytes"], hash=f"sha256:{written['parquet']['sha256']}")
        resources.append(resource)
    return {
        "name": PACKAGE_NAME,
        "title": "Children's social care in England, local authority by local authority",
        "description": (
            "Every mart of the csc-warehouse publication (the tables of schema marts in csc.duckdb), as CSV "
            "(the resources' paths) and as Parquet (each resource's `parquet` property): figures published by "
            "DfE, Ofsted, ONS and MHCLG, conformed to current local authorities, every release vintage kept. "
            "Values a publisher suppressed or did not publish are empty, with the reason in the matching "
            "`_status` column. `refresh_id` is the refresh that built this publication (meta.refresh in "
            "csc.duckdb); `created` is when it was published."
        ),
        "refresh_id": refresh_id,
        "created": finished.isoformat(),
        "licenses": [dict(LICENCE)],
        "sources": _sources(con, catalogue),
        "keywords": [
            "children's social care",
            "local authorities",
            "England",
            "children looked after",
            "children in need",
            "child protection",
        ],
        "resources": resources,
    }


# An LA's own figures (provisional, counted from its child-level returns) are published in
# csc.duckdb for the LA's own users, never in the open data: their marts are left out, and their
# rows (release la_return_<year>) out of the marts that hold published figures too.
RETURNS_MART_PREFIX = "mart_la_return_"
RETURNS_MARTS = RETURNS_MART_PREFIX + "%"
RETURNS_RELEASES = "la_return_%"


def is_open_mart(name: str) -> bool:
    """Whether the open data holds the mart ``name`` (every one but an LA's own returns')."""
    return not name.startswith(RETURNS_MART_PREFIX)


def mart_tables(con: duckdb.DuckDBPyConnection) -> dict[str, str | None]:
    """The marts of the open data, with their descriptions."""
    return dict(
        con.execute(
            "select table_name, comment from duckdb_tables() where schema_name = ? and table_name not like ? "
            "order by table_name",
            [EXPORT_SCHEMA, RETURNS_MARTS],
        ).fetchall()
    )


def open_rows(con: duckdb.DuckDBPyConnection, table: str, columns: str = "*") -> str:
    """The query of a mart's open-data rows: all but an LA's own provisional figures."""
    has_release = con.execute(
        "select count(*) from duckdb_columns() where schema_name = ? and table_name = ? and column_name = 'release'",
        [EXPORT_SCHEMA, table],
    ).fetchone()[0]
    name = '"' + table.replace('"', '""') + '"'
    where = f" where release is null or release not like '{RETURNS_RELEASES}'" if has_release else ""
    return f"select {columns} from {EXPORT_SCHEMA}.{name} t{where}"

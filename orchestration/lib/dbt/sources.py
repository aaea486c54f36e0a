"""dbt's sources, generated from the source catalogue: one ``_<source>__sources.yml`` per
catalogue source in ``dbt_project/models/staging/<source>/``, naming every raw table and its
columns (the family's canonical columns, then the lineage columns the loader adds).

The catalogue stays the one home of what each raw table holds; dbt reads the column lists from
these files at compile time (``stage_ees_tidy``), so every staging model's SQL can be compiled
on a fresh clone, without a loaded database. The files are committed, so ``dbt compile`` works
before anything runs; ``tests/unit/test_catalogue.py`` fails when they and the catalogue differ, and

    uv run python -m orchestration.lib.dbt.sources

writes them again.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from orchestration.lib.core.conventions import conventions
from orchestration.lib.ingest.catalogue import Catalogue, Source, load_catalogue
from orchestration.settings import get_settings

HEADER = """\
# Generated from orchestration/catalogue/sources.yml (orchestration/lib/dbt/sources.py): do not
# edit. Regenerate with `uv run python -m orchestration.lib.dbt.sources`.
"""


def source_name(source: Source) -> str:
    return f"raw_{source.name}"


def sources_path(source: Source) -> Path:
    return get_settings().dbt_project_dir / "models" / "staging" / source.name / f"_{source.name}__sources.yml"


def publisher_pages(source: Source, family) -> list[str]:
    """The publisher's pages a family's files are read from (each release's page, in catalogue
    order, once), else the source's own page: the docs site links each raw table back to them."""
    pages = list(dict.fromkeys(r.page for r in family.releases if r.page))
    return pages or ([source.page] if source.page else [])


def _with_pages(description: str, pages: list[str]) -> str:
    if not pages:
        return description
    return description.rstrip() + " Publisher's page" + ("s" if len(pages) > 1 else "") + ": " + ", ".join(pages) + "."


def render(source: Source) -> str:
    shared = conventions()
    geography = set(shared.ees_geography_columns)
    document = {
        "version": 2,
        "sources": [
            {
                "name": source_name(source),
                "schema": "raw",
                "description": (
                    f"{source.publisher}: {source.publication}"
                    + (f" ({source.page})" if source.page else "")
                    + ". Landed by Dagster's ingest assets (orchestration/defs/ingest): every release vintage "
                    "of a file family is stacked in one table, values kept as the publisher's text so "
                    "suppression symbols survive."
                ),
                **({"meta": {"publisher_page": source.page}} if source.page else {}),
                "tables": [
                    {
                        "name": family.raw_table,
                        "description": _with_pages(
                            family.description or f"The {family.name} files of {source.publication}.",
                            publisher_pages(source, family),
                        ),
                        "meta": {
                            "format": family.format,
                            **({"period": family.period} if family.period else {}),
                            **(
                                {"publisher_pages": publisher_pages(source, family)}
                                if publisher_pages(source, family)
                                else {}
                            ),
                            **({"symbols": {k: list(v) for k, v in family.symbols.items()}} if family.symbols else {}),
                        },
                        "columns": [
                            *[
                                {
                                    "name": column.name,
                                    **(
                                        {"description": "EES geography column (EES data standards)"}
                                        if family.format == "ees_tidy_csv" and column.name in geography
                                        else {}
                                    ),
                                    **(
                                        {
                                            "description": "Also published under the header "
                                            + " / ".join(f"'{a}'" for a in column.aliases)
                                        }
                                        if column.aliases
                                        and not (family.format == "ees_tidy_csv" and column.name in geography)
                                        else {}
                                    ),
                                    **({"meta": {"label": True}} if column.label else {}),
                                }
                                for column in family.columns
                            ],
                            *[
                                {"name": name, "description": description}
                                for name, description in shared.lineage_descriptions.items()
                            ],
                        ],
                    }
                    for family in source.families
                ],
            }
        ],
    }
    # libyaml's safe dumper writes the same text as the pure-Python one, faster; every
    # process that loads the definitions renders each source to check it (``stale``)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return HEADER + yaml.dump(document, Dumper=dumper, sort_keys=False, width=100, allow_unicode=True)


def stale(catalogue: Catalogue | None = None) -> list[Path]:
    """The generated files that differ from what the catalogue says now."""
    return [
        sources_path(s)
        for s in (catalogue or load_catalogue()).sources
        if not sources_path(s).exists() or sources_path(s).read_text(encoding="utf-8") != render(s)
    ]


def write(catalogue: Catalogue | None = None) -> list[Path]:
    written = []
    for source in (catalogue or load_catalogue()).sources:
        path = sources_path(source)
        text = render(source)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    for path in write():
        print(f"wrote {path.relative_to(get_settings().dbt_project_dir.parent)}")
    sys.exit(0)

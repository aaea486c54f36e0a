from dataclasses import replace

import duckdb
import pytest

from expectations.raw.ees_tidy_csv import suites as ees_tidy_suites
from orchestration.lib.ingest.catalogue import load_catalogue
from orchestration.lib.ingest.landing import fetch
from orchestration.lib.ingest.load import load_family
from orchestration.lib.quality.runner import run_suite
from orchestration.lib.quality.suites import SuiteSpec, discover_suites

ROWS_SUITE = next(s for s in ees_tidy_suites() if s.name == "raw_cla_number_and_rate_per_10k")


def loaded(settings):
    cla = load_catalogue().family("cla_number_and_rate_per_10k")
    con = duckdb.connect(str(settings.duckdb_path))
    load_family(con, cla, [fetch(settings, r) for r in cla.releases if r.release in ("ees_2024", "ees_2025")])
    return con


def test_every_suite_guards_an_asset_and_names_are_unique():
    suites = discover_suites()
    assert {s.asset for s in suites} >= {
        ("raw", "cla_number_and_rate_per_10k"),
        ("marts", "fct_children_looked_after"),
        ("marts", "fct_la_indicator"),
    }
    # every EES tidy family in the catalogue has its raw contracts
    ees = [f for f in load_catalogue().families if f.format == "ees_tidy_csv"]
    assert {("raw", f.raw_table) for f in ees} <= {s.asset for s in suites}
    assert len({s.name for s in suites}) == len(suites)


def test_fixture_rows_pass(fixture_mirror):
    with loaded(fixture_mirror) as con:
        outcome = run_suite(con, ROWS_SUITE)
    assert outcome.success, outcome.failures


def test_unknown_symbol_fails_naming_release_and_row(fixture_mirror):
    with loaded(fixture_mirror) as con:
        con.execute(
            "update raw.cla_number_and_rate_per_10k set children_count = '?' where _release = 'ees_2025' and _row_number = 3"
        )
        outcome = run_suite(con, ROWS_SUITE)
    assert not outcome.success
    assert outcome.failed == 1
    (failure,) = outcome.failures
    # one expectation holds the rule for every unsigned value column; the failure names the one that broke it
    assert (
        "expect_unsigned_published_cells on column 'children_count' (expected A number that is not negative, or a known suppression symbol"
        in failure
    )
    assert "_release=ees_2025" in failure and "_row_number=3" in failure and "children_count=?" in failure


def test_unknown_geographic_level_fails(fixture_mirror):
    with loaded(fixture_mirror) as con:
        con.execute("update raw.cla_number_and_rate_per_10k set geographic_level = 'Ward' where _row_number = 2")
        outcome = run_suite(con, ROWS_SUITE)
    assert not outcome.success
    assert any("geographic_level" in f and "Ward" in f for f in outcome.failures)


def test_failed_suite_is_in_an_offline_html_report(fixture_mirror, tmp_path):
    import re

    from orchestration.lib.quality.runner import write_result

    with loaded(fixture_mirror) as con:
        good = run_suite(con, ROWS_SUITE)
        con.execute(
            "update raw.cla_number_and_rate_per_10k set children_count = '?' where _release = 'ees_2025' and _row_number = 3"
        )
        bad = run_suite(con, ROWS_SUITE)
    other = next(s for s in ees_tidy_suites() if s.name == "raw_cla_number_and_rate_per_10k__counts")
    validations = tmp_path / "runs" / "run-123" / "validations"
    write_result(good.__class__(**{**good.__dict__, "suite": other.name}), validations, other)
    write_result(bad, validations, ROWS_SUITE)
    html = (validations / "index.html").read_text(encoding="utf-8")
    assert "refresh run-123" in html and "1 of 2 suites passed" in html and "1 failed" in html
    assert "raw/cla_number_and_rate_per_10k" in html and "FAILED" in html
    assert "_row_number=3" in html and "children_count=?" in html  # the offending row, named
    assert (validations / "raw_cla_number_and_rate_per_10k.json").exists()
    # readable offline: no scripts, nothing loaded from anywhere else
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"@import|url\(", html, re.IGNORECASE)


def test_a_suite_code_version_follows_its_query_and_the_expectation_code():
    from dataclasses import replace

    from orchestration.lib.quality.runner import suite_code_version

    version = suite_code_version(ROWS_SUITE)
    assert version == suite_code_version(ROWS_SUITE) and len(version) == 16
    assert suite_code_version(replace(ROWS_SUITE, query=ROWS_SUITE.query + " where true")) != version
    assert suite_code_version(replace(ROWS_SUITE, name="another")) != version


def test_a_reconciliation_that_cannot_be_computed_fails_naming_the_row():
    from orchestration.lib.quality import rules
    from orchestration.lib.quality.suites import SuiteSpec

    spec = SuiteSpec(
        name="reconciles",
        asset=("marts", "t"),
        description="",
        expectations=lambda: rules.within_tolerance(2, "two"),
        query="select * from (values ('E08000012', 2025, null::double), ('E08000013', 2025, -1.0)) as t(la_code, time_period, excess)",
    )
    with duckdb.connect() as con:
        outcome = run_suite(con, spec)
    assert not outcome.success and outcome.failed == 1  # GX alone skips the NULL: within tolerance passes
    (failure,) = outcome.failures
    assert (
        "expect_column_values_to_not_be_null on column 'excess'" in failure
        and "one side of the reconciliation is missing" in failure
    )
    assert "[la_code=E08000012 time_period=2025 excess=empty]" in failure


def test_a_cross_check_that_cannot_be_compared_fails_naming_the_row():
    from orchestration.lib.quality import rules

    spec = rules.agreement_suite(
        "agrees",
        ("marts", "t"),
        "",
        "select 'E10000016' as la_code, 'Kent' as la_name, null::boolean as agrees",
        "Same region",
        1,
        "one",
    )
    with duckdb.connect() as con:
        outcome = run_suite(con, spec)
    assert not outcome.success and outcome.failed == 1
    assert "[la_code=E10000016 la_name=Kent agrees=<NA>]" in outcome.failures[0]


def test_a_reconciliation_with_nothing_to_reconcile_fails_on_its_floor():
    from orchestration.lib.quality import rules
    from orchestration.lib.quality.suites import SuiteSpec

    spec = SuiteSpec(
        name="empty",
        asset=("marts", "t"),
        description="",
        query="select 1.0 as excess where false",
        expectations=lambda: rules.within_tolerance(150, "one per LA"),
    )
    with duckdb.connect() as con:
        outcome = run_suite(con, spec)
    assert not outcome.success
    assert outcome.failures == [
        "expect_table_row_count_to_be_between on table (expected At least 150 rows: one per LA): observed 0"
    ]


def test_every_reconciliation_fails_on_null_and_has_a_row_floor():
    import great_expectations as gx

    from orchestration.lib.quality import rules

    rules_by_column = {rules.ExpectWithinTolerance: "excess", rules.ExpectAllAgree: "agrees"}
    checked = 0
    for suite in discover_suites():
        expectations = list(suite.expectations())
        for rule, column in rules_by_column.items():
            if not any(isinstance(e, rule) for e in expectations):
                continue
            checked += 1
            assert any(
                isinstance(e, gx.expectations.ExpectColumnValuesToNotBeNull) and e.column == column
                for e in expectations
            ), f"{suite.name}: a NULL {column} would pass"
            floors = [
                e.min_value for e in expectations if isinstance(e, gx.expectations.ExpectTableRowCountToBeBetween)
            ]
            single_release_vintages = suite.name.endswith("__vintages") and any(
                f.raw_table == suite.asset[1] and len(f.releases) == 1 for f in load_catalogue().families
            )
            assert single_release_vintages or (floors and min(floors) >= 1), f"{suite.name} passes on an empty table"
    assert checked >= 17


def test_a_prefiltered_suite_finds_what_the_whole_table_would_show(fixture_mirror):
    from dataclasses import replace

    assert ROWS_SUITE.prefilter
    with loaded(fixture_mirror) as con:
        con.execute("update raw.cla_number_and_rate_per_10k set children_count = '[w]' where _row_number = 3")
        con.execute("update raw.cla_number_and_rate_per_10k set geographic_level = 'Ward' where _row_number = 5")
        con.execute("update raw.cla_number_and_rate_per_10k set time_period = null where _row_number = 7")
        prefiltered = run_suite(con, ROWS_SUITE)
        whole = run_suite(con, replace(ROWS_SUITE, prefilter=False))
        scanned = con.execute("select count(*) from raw.cla_number_and_rate_per_10k").fetchone()[0]
    assert not prefiltered.success and prefiltered.failures == whole.failures and len(whole.failures) == 3
    assert prefiltered.rows < whole.rows == scanned == prefiltered.scanned


def test_a_rule_the_prefilter_cannot_translate_is_refused():
    import great_expectations as gx

    from orchestration.lib.quality.runner import breaks_a_rule

    assert (
        breaks_a_rule([gx.expectations.ExpectColumnValuesToBeInSet(column="x", value_set=["a", "b'c"])])
        == "(\"x\" is not null and \"x\" not in ('a', 'b''c'))"
    )
    with pytest.raises(ValueError, match="ExpectColumnMeanToBeBetween cannot be checked on a prefiltered query"):
        breaks_a_rule([gx.expectations.ExpectColumnMeanToBeBetween(column="x", min_value=1)])
    with pytest.raises(ValueError, match="cannot be checked"):
        breaks_a_rule([gx.expectations.ExpectColumnValuesToNotBeNull(column="x", mostly=0.9)])
    # pandas and DuckDB see a number column differently (1.0 against 1): value rules need text
    with pytest.raises(ValueError, match="ExpectColumnValuesToMatchRegex on column 'n' of type INTEGER"):
        breaks_a_rule([gx.expectations.ExpectColumnValuesToMatchRegex(column="n", regex="^1$")], {"n": "INTEGER"})
    assert breaks_a_rule([gx.expectations.ExpectColumnValuesToNotBeNull(column="n")], {"n": "INTEGER"}) == '"n" is null'


def test_a_gate_step_rewrites_the_report_when_a_suite_fails_when_due_and_when_it_ends(tmp_path, monkeypatch):
    from orchestration.lib.quality import validation_report as report

    renders = []
    monkeypatch.setattr(report, "render", lambda directory: renders.append(len(list(directory.glob("*.outcome.json")))))
    now = [0.0]
    outcome = {"asset": "raw/t", "description": "", "evaluated": 1, "rows": 0, "failures": []}
    with report.ReportWriter(tmp_path, every=5.0, clock=lambda: now[0]) as writer:
        for suite, success, at in [
            ("s1", True, 0.0),  # the first: at once
            ("s2", True, 1.0),  # waits
            ("s3", False, 2.0),  # a failure: at once
            ("s4", True, 2.5),  # waits
            ("s5", True, 7.0),  # 5 s after the last rewrite: due
            ("s6", True, 7.5),
        ]:  # waits
            now[0] = at
            writer.record({**outcome, "suite": suite, "success": success})
        assert renders == [1, 3, 5]
    assert renders == [1, 3, 5, 6]  # leaving the step: everything that ran is on the page
    assert len(list(tmp_path.glob("*.outcome.json"))) == 6


def test_a_step_that_raises_still_leaves_its_suites_in_the_report(tmp_path):
    from orchestration.lib.quality.validation_report import REPORT_NAME, ReportWriter

    outcome = {"asset": "raw/t", "description": "", "evaluated": 1, "rows": 0, "failures": [], "success": True}
    with pytest.raises(RuntimeError), ReportWriter(tmp_path, every=3600) as writer:
        writer.record({**outcome, "suite": "first"})
        writer.record({**outcome, "suite": "second"})
        raise RuntimeError("the next suite's query failed")
    html = (tmp_path / REPORT_NAME).read_text(encoding="utf-8")
    assert "2 of 2 suites passed" in html and "second" in html


def test_a_gate_step_logs_one_line_for_its_passing_suites():
    from orchestration.lib.quality.gate import step_summary
    from orchestration.lib.quality.runner import SuiteOutcome

    outcomes = [
        SuiteOutcome("a", True, 3, 0, 0, scanned=900),
        SuiteOutcome("b", True, 2, 0, 40),
        SuiteOutcome("c", False, 2, 1, 5, failures=["..."]),
    ]
    assert step_summary(outcomes) == "2 of 3 suites passed: 6 expectations passed on 945 rows; failed: c"


def test_a_rule_on_many_columns_judges_each_cell_as_one_rule_per_column_would():
    import great_expectations as gx

    from orchestration.lib.quality import rules

    rows = (
        "select * from (values (1, 'r', '12', '4', 'x'), (2, 'r', '[w]', null, '5'), (3, 'r', null, null, null), "
        "(4, 'r', '-3', '7', '1.5.2')) as t(_row_number, _release, a, b, c)"
    )
    spec = SuiteSpec(
        name="cells",
        asset=("raw", "t"),
        description="",
        query=rows,
        expectations=lambda: [
            *rules.cells(["a", "b", "c"], "unsigned_published"),
            *rules.cells(["a", "b"], "not_null"),
        ],
    )
    per_column = SuiteSpec(
        name="columns",
        asset=("raw", "t"),
        description="",
        query=rows,
        expectations=lambda: [
            *[rules.ExpectUnsignedPublishedCell(column=c) for c in "abc"],
            *[gx.expectations.ExpectColumnValuesToNotBeNull(column=c) for c in "ab"],
        ],
    )
    with duckdb.connect() as con:
        cells, columns = run_suite(con, spec), run_suite(con, per_column)
        prefiltered = run_suite(con, replace(spec, prefilter=True))
    assert (cells.evaluated, cells.failed, columns.evaluated, columns.failed) == (2, 2, 5, 4)
    published, not_null = cells.failures
    # the rows that break the rule, each with the cells that broke it, and nothing else
    assert published == (
        "expect_unsigned_published_cells on columns 'a', 'c' (expected A number that is not negative, or a "
        f"known suppression symbol ({', '.join(rules.known_symbols())}) or footnote mark [note N]): 2 unexpected, "
        "e.g. [_release=r _row_number=2 a=[w]], [_release=r _row_number=4 a=-3 c=1.5.2]"
    )
    assert not_null.startswith(
        "expect_cells_to_not_be_null on columns 'a', 'b' (expected Filled in every row): 2 unexpected, "
        "e.g. [_release=r _row_number=2 b=empty], [_release=r _row_number=3 a=empty b=empty]"
    )
    # the same rows as one expectation per column finds, and the same verdict on the rows DuckDB selects
    assert {r for f in columns.failures for r in ("_row_number=2", "_row_number=3", "_row_number=4") if r in f} == {
        "_row_number=2",
        "_row_number=3",
        "_row_number=4",
    }
    assert prefiltered.failures == cells.failures and prefiltered.rows == 3 and prefiltered.scanned == 4


def test_a_rule_on_many_columns_is_one_term_per_cell_in_the_prefilter():
    from orchestration.lib.quality import rules
    from orchestration.lib.quality.runner import breaks_a_rule

    (not_null,) = rules.cells(["a", "b"], "not_null")
    (regex,) = rules.cells(["a", "b"], "match_regex", regex="^[0-9]$")
    assert breaks_a_rule([not_null]) == '"a" is null or "b" is null'
    assert breaks_a_rule([regex]) == (
        '("a" is not null and not regexp_matches(cast("a" as varchar), \'^[0-9]$\')) or '
        '("b" is not null and not regexp_matches(cast("b" as varchar), \'^[0-9]$\'))'
    )
    with pytest.raises(ValueError, match="ExpectCellsToMatchRegex on column 'b' of type INTEGER"):
        breaks_a_rule([regex], {"a": "VARCHAR", "b": "INTEGER"})
    # one column is GX's column-map rule (a multicolumn one needs two)
    assert [
        type(r).__name__
        for r in rules.cells(["a"], "published") + rules.cells(["a"], "not_null") + rules.cells([], "not_null")
    ] == ["ExpectPublishedCell", "ExpectColumnValuesToNotBeNull"]


def test_the_gate_on_an_las_own_figures_refuses_a_small_count_shown(tmp_path):
    """What leaves the private area (raw.la_return_figures): a count from 1 to 5 shown, or a
    suppressed figure with a value, stops the refresh; figures shown as DfE shows them pass, and
    so does a median of 3 days (not a count)."""
    from orchestration.lib.returns import figures

    (suite,) = [s for s in discover_suites() if s.asset == ("raw", "la_return_figures")]
    rows = [
        ("E06000009", 2025, "cla_count", "Total", "Total", 54, True, "provisional", "la_return_2025", 3, None, None),
        ("E06000009", 2025, "cla_count", "Age group", "Under 1 year", None, True, "provisional_suppressed", "la_return_2025", 3, None, None),
        ("E06000009", 2025, "cla_count", "Age group", "1 to 4 years", 0, True, "provisional", "la_return_2025", 3, None, None),
        ("E06000009", 2025, "assessment_duration_median_days", "Total", "Total", 3, False, "provisional", "la_return_2025", 3, None, None),
    ]  # fmt: skip
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    con.execute(f"create schema raw; create table {figures.TABLE} ({figures.COLUMNS})")
    con.executemany(f"insert into {figures.TABLE} values ({', '.join('?' * 12)})", rows)
    assert run_suite(con, suite).success
    con.execute(f"update {figures.TABLE} set value = 4, status = 'provisional' where category = 'Under 1 year'")
    assert not run_suite(con, suite).success
    con.execute(
        f"update {figures.TABLE} set value = 7, status = 'provisional_suppressed' where category = 'Under 1 year'"
    )
    outcome = run_suite(con, suite)
    assert not outcome.success and any("value_matches_status" in f for f in outcome.failures)
    con.close()

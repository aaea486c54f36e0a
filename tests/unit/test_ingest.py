"""The ingest step's one log line (orchestration/lib/ingest/step.py: step_summary)."""

from types import SimpleNamespace

from orchestration.lib.ingest.load import LoadResult
from orchestration.lib.ingest.step import FamilyOutcome, step_summary


def outcome(files, first=None, new=(), loaded=(), unchanged=(), removed=(), rows=0, recorded=False):
    return FamilyOutcome(
        files=files,
        first_landed=dict(first or {}),
        new_releases=list(new),
        load=LoadResult("f", list(loaded), list(unchanged), list(removed), rows),
        recorded=recorded,
    )


def test_one_line_sums_up_what_the_step_landed_loaded_and_recorded_over_its_families():
    line = step_summary(
        SimpleNamespace(name="cla"),
        [
            outcome(
                2,
                first={"ees_2025/a.csv": 1_500_000},
                new=["ees_2025"],
                loaded=["ees_2025/a.csv"],
                unchanged=["ees_2024/a.csv"],
                rows=700,
                recorded=True,
            ),
            outcome(1, unchanged=["ees_2024/b.csv"], rows=50),
            outcome(3, loaded=["x/c.csv"], removed=["x/old.csv"], rows=90, recorded=True),
        ],
    )
    assert line == (
        "cla: 3 families, 6 files, 1 landed for the first time (1.5 MB; 1 new release); loaded 2 files, "
        "removed 1; 2 raw tables recorded (790 rows), 1 unchanged"
    )


def test_a_step_that_changed_nothing_logs_nothing():
    assert step_summary(SimpleNamespace(name="cla"), [outcome(2, unchanged=["a", "b"], rows=10)]) is None
    assert step_summary(SimpleNamespace(name="cla"), []) is None

"""Great Expectations 1.x suites, written as code: one module per validated table.

``raw/<table>.py`` guards a landed table, ``marts/<table>.py`` a mart; ``raw/ees_tidy_csv.py``
and ``raw/sfr_wide.py`` give every raw table of that layout (from the source catalogue) its
contract. Each module's ``suites()`` builds its suites; ``orchestration/lib/quality/suites.py`` says
what a suite is and finds them, and Dagster runs each as a blocking asset check on its table.
Suites hold what dbt tests do not: contracts on landed files, cross-table reconciliations,
distributions and row counts.
"""

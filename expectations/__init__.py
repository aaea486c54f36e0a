"""Great Expectations 1.x suites, written as code: one module per validated table, or per layout
that several tables share.

``raw/<table>.py`` guards a landed table, ``marts/<table>.py`` a mart. A layout module gives
every table of that layout its contract and names the tables once: ``raw/ees_tidy_csv.py`` and
``raw/sfr_wide.py`` (every family of that format in the source catalogue),
``raw/iod2019_file_11.py``, ``raw/revenue_outturn.py`` and ``raw/ofsted_inspection_outcomes.py``
(their ``TABLES``). Each module's ``suites()`` builds its suites when asked, reading the
project's settings and conventions then; ``orchestration/lib/quality/suites.py`` says what a
suite is and finds them, and Dagster runs each as a blocking asset check on its table.

What is a suite and what is a dbt test: docs/architecture.md, "Checks".
"""

"""Demo databases for the document and export tests, built once per test session.

`snapshot_of` reads the shared province demo (tests.test_queries.demo_database). `altered_demo`
is a copy of it with the real-life cases the demo lacks, ingested through the CLI: a unit
whose only file for a year was rejected, and free text that a spreadsheet would run as a
formula. The shared demo itself is never changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from etl.db import latest_snapshot
from tests.conftest import ingest_json, write_submission
from tests.test_queries import demo_database

REJECTED_UNIT, REJECTED_YEAR = "TTGDYK", 2023  # missing in the demo; here its file is rejected
FORMULA_UNIT, FORMULA_YEAR = "BVM", 2016
FORMULA_TEXT = '=HYPERLINK("http://example.invalid","bấm vào đây")'


def snapshot_of(base: Path) -> str:
    snap = latest_snapshot(demo_database(base))
    assert snap is not None
    return str(snap)


def altered_demo(base: Path) -> Path:
    """The province demo plus a rejected-and-not-resent file and formula-like text (built once)."""
    db = base / "demo_altered" / "dashboard.duckdb"
    if latest_snapshot(db) is not None:
        return db
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_database(base), db)
    inbox = db.parent / "inbox"
    bad = write_submission(
        inbox / "ttgdyk_2023.xlsx",
        REJECTED_UNIT,
        REJECTED_YEAR,
        {"staff_total": 60, "complaints_received": 2, "complaints_carried_in": 0, "complaints_resolved": 9},
    )
    code, doc = ingest_json(bad, db=db)
    assert code == 1 and doc["files"][0]["status"] == "rejected", doc
    # a wide history CSV: a workbook cell starting with "=" would be a formula, a CSV field is text
    formula = inbox / "bvm_2016.csv"
    formula.write_text(
        "unit_code,year,staff_total,highlights,difficulties,proposals\n"
        f'{FORMULA_UNIT},{FORMULA_YEAR},120,"{FORMULA_TEXT.replace(chr(34), chr(34) * 2)}",@lệnh,-bỏ qua\n',
        encoding="utf-8",
    )
    code, doc = ingest_json(formula, db=db)
    assert code == 0, doc
    return db

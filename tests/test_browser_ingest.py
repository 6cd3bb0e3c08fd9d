"""Browser test of the dashboard during a terminal ingest (issue "Concurrency"): it keeps serving
while `python -m etl ingest` runs, and shows the new data once the ingest is over.

A server of its own on a database of its own (the session's demo server must stay as the other
browser tests expect it): the demo province's unit list, a leadership account, and the 2025
reports of BV Mắt and CDC. A leader reads BV Mắt's training coverage on «Tập huấn» and the units
still missing on «Tiếp nhận báo cáo». Then an operator ingests a folder of workbooks: BV Mắt's
corrected 2025 report and the 2024 and 2025 reports of every other unit but the Sở. Each file is
its own transaction (DASHBOARD_INGEST_BATCH=1), so BV Mắt's correction is committed to the main
file long before the ingest publishes its snapshot at the end. Once it is, the ingest is paused
(SIGSTOP) as a long ingest is at that moment: it holds the database, part of the folder written,
nothing published; the paused state makes the visits fall inside the ingest whatever the speed
of the machine. Both pages are reloaded then: they draw, with no exception nor the "being
updated" warning, and still show the published figures. The ingest resumes (pages reloaded
while it finishes draw too) and exits 0; a reload shows the new figures.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import duckdb
import pytest

from accounts.store import connect as connect_store
from accounts.store import store_path
from accounts.users import add_user
from etl.db import connect, latest_snapshot, raw_dir
from etl.ingest import ingest_paths
from etl.limits import file_sha256
from etl.registry import DEMO_REGISTRY_CSV, read_registry
from tests.browser import MAIN, App, chart_texts, need_chromium, streamlit_server
from tests.conftest import ROOT, write_submission

pytest_plugins = ("tests.browser",)  # the session's browser and new_page
pytestmark = pytest.mark.browser

YEAR = 2025
LEADER, PASSWORD = "lanh_dao_so", "mat-khau-du-dai-2026"  # not the demo's: this is no demo database
TRAINING = f"tap-huan?nam={YEAR}"
INTAKE = f"tiep-nhan-bao-cao?nam={YEAR}"
COVERAGE_TITLE = f"trên mỗi viên chức, năm {YEAR}"
BUSY = "đang được cập nhật"  # dashboard.py's warning when it finds no snapshot to read
INGEST_S = 120  # the rest of the ingest once resumed, on two busy cores
PAGE_MS = 120_000
SKIPPED = {("BVM", YEAR - 1), ("CDC", YEAR)}  # in the folder: BV Mắt's 2025 correction, not CDC's


def _inbox(folder: Path) -> list[Path]:
    """The folder the operator ingests: BV Mắt's corrected 2025 report (participants 180 -> 642
    for 321 staff) and the 2024 and 2025 reports of every other unit open then, the Sở's own
    left out; in the order the ingest takes them (by name)."""
    for unit in read_registry(DEMO_REGISTRY_CSV):
        for year in (YEAR - 1, YEAR):
            if unit.active_in(year) and unit.unit_code != "SYT" and (unit.unit_code, year) not in SKIPPED:
                values = _training(321, 642) if unit.unit_code == "BVM" else _training(200, 150)
                write_submission(folder / f"{unit.unit_code}_{year}.xlsx", unit.unit_code, year, values)
    return sorted(folder.iterdir())


def _training(staff: int, participants: int) -> dict[str, int]:
    return {"staff_total": staff, "training_sessions": 4, "training_participants": participants}


def _metric(page, label: str) -> str:
    """The value of the count card labelled `label` («17/19»)."""
    cards = page.locator(MAIN).locator(".kpi-card")
    for i in range(cards.count()):
        card = cards.nth(i)
        if card.locator(".kpi-label").inner_text().strip() == label:
            return card.locator(".kpi-value").inner_text().strip()
    raise AssertionError(f"no count card «{label}» on the page: {page.locator(MAIN).inner_text()[:500]}")


def _coverage(page) -> str:
    """The text of the training coverage chart (units and participants per staff member)."""
    return next(t for t in chart_texts(page) if COVERAGE_TITLE in t)


def _visit(app: App, page, path: str) -> None:
    """Open `path`, wait until every chart has drawn; no exception, no "being updated" warning."""
    app.load(page, f"{app.url}/{path}", PAGE_MS)
    app.assert_clean(page, path)
    text = page.locator(MAIN).inner_text()
    assert BUSY not in text, app.fail_message(f"{path}: the «being updated» warning: {text[:500]}")


def _holds_database(db: Path) -> bool:
    """True while another process holds the main file (DuckDB lets no reader in then)."""
    try:
        duckdb.connect(str(db), read_only=True).close()
    except duckdb.IOException as exc:
        return "lock" in str(exc).lower()
    return False


@contextmanager
def _ingest(folder: Path, db: Path, log: Path) -> Iterator[subprocess.Popen]:
    """`python -m etl ingest FOLDER --db DB --json`, a file a transaction, started in the background
    in its own process group (paused and resumed as one); killed if the test leaves it running."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DASHBOARD_INGEST_BATCH": "1"}
    with open(log.with_suffix(".json"), "wb") as out, open(log, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "etl", "ingest", str(folder), "--db", str(db), "--json"],
            cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True,
        )  # fmt: skip
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGCONT)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait_for(proc: subprocess.Popen, path: Path, log: Path) -> None:
    """Wait until the ingest has kept `path` (its raw copy: the ingest is past the file before)."""
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail(f"the ingest ended (code {proc.returncode}) before it reached {path.name}: "
                        f"{log.read_text(errors='replace')[-2000:]}")  # fmt: skip
        time.sleep(0.005)


@pytest.fixture
def leader_db(db: Path, tmp_path: Path) -> Path:
    """A Sở's database: the unit list, a leadership account, BV Mắt's and CDC's 2025 reports."""
    with closing(connect_store(store_path(db))) as con:
        add_user(con, LEADER, PASSWORD, "lanh_dao", is_demo=False, actor="test")
    sent = [
        write_submission(tmp_path / "sent" / "BVM_2025.xlsx", "BVM", YEAR, _training(321, 180)),
        write_submission(tmp_path / "sent" / "CDC_2025.xlsx", "CDC", YEAR, _training(250, 400)),
    ]
    with closing(connect(db)) as con:
        assert {r.status for r in ingest_paths(con, db, sent)} == {"accepted"}
    return db


def test_pages_keep_serving_during_an_ingest_and_show_its_data_after_it(
    leader_db: Path, tmp_path: Path, new_page: Callable
) -> None:
    need_chromium()
    db = leader_db
    expected = sum(u.active_in(YEAR) for u in read_registry(DEMO_REGISTRY_CSV))
    inbox = tmp_path / "inbox"
    files = _inbox(inbox)
    # the ingest keeps a file's raw copy just before writing it: once the file after BV Mắt's
    # correction is kept, the correction is committed (a file a transaction)
    after_correction = files[files.index(inbox / f"BVM_{YEAR}.xlsx") + 1]
    kept = raw_dir(db) / file_sha256(after_correction)[:2] / f"{file_sha256(after_correction)}.xlsx"
    published = latest_snapshot(db)

    with streamlit_server(ROOT / "dashboard.py", tmp_path / "streamlit.log", db=db) as server:
        app = App(server, db)
        page = new_page()
        app.log_in(page, LEADER, PASSWORD, next_path=f"/{TRAINING}")
        _visit(app, page, TRAINING)
        assert "0,56" in _coverage(page)  # 180 / 321

        log = tmp_path / "ingest.log"
        with _ingest(inbox, db, log) as proc:
            _wait_for(proc, kept, log)
            os.killpg(proc.pid, signal.SIGSTOP)
            assert proc.poll() is None and _holds_database(db)
            assert latest_snapshot(db) == published  # BV Mắt's correction is written, not published

            _visit(app, page, TRAINING)
            coverage = _coverage(page)
            assert "BV Mắt" in coverage and "0,56" in coverage and "2,00" not in coverage, coverage
            _visit(app, page, INTAKE)
            assert _metric(page, "Chưa nộp") == f"{expected - 2}/{expected}"

            assert proc.poll() is None and _holds_database(db)  # both visits fell inside the ingest
            os.killpg(proc.pid, signal.SIGCONT)
            deadline = time.monotonic() + INGEST_S
            while proc.poll() is None and time.monotonic() < deadline:  # the rest, publishing included
                _visit(app, page, INTAKE)
                assert _metric(page, "Chưa nộp") in (f"{expected - 2}/{expected}", f"1/{expected}")
            code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        assert code == 0, log.read_text(errors="replace")[-2000:]
        doc = json.loads(log.with_suffix(".json").read_text(encoding="utf-8"))
        assert doc["summary"] == {"accepted": len(files), "rejected": 0, "unchanged": 0}
        assert latest_snapshot(db) != published

        _visit(app, page, INTAKE)
        assert _metric(page, "Chưa nộp") == f"1/{expected}"  # the Sở itself, which sent nothing
        _visit(app, page, TRAINING)
        coverage = _coverage(page)
        assert "BV Mắt" in coverage and "2,00" in coverage and "0,56" not in coverage, coverage  # 642 / 321

"""Shared test helpers: real submission files written the way units fill them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent


def write_submission(
    path: Path,
    unit: str | None,
    year: object,
    values: dict[str, object],
    *,
    sheet: str = "Báo cáo",
    unit_name: str | None = None,
) -> Path:
    """A hand-filled workbook in the template's layout: title block, labels, header, rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    ws.merge_range("A1:G1", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    ws.merge_range("A2:G2", "Độc lập - Tự do - Hạnh phúc")
    ws.write("B5", "Mã đơn vị")
    if unit is not None:
        ws.write("C5", unit)
    ws.write("B6", "Tên đơn vị")
    if unit_name is not None:
        ws.write("C6", unit_name)
    ws.write("B7", "Năm báo cáo")
    ws.write("C7", year)
    ws.write_row(
        "A9", ["STT", "Mã chỉ tiêu", "Lĩnh vực", "Chỉ tiêu", "Đơn vị tính", "Giá trị", "Hướng dẫn nhập"]
    )
    row = 9
    for i, (code, value) in enumerate(values.items(), start=1):
        ws.write_row(row, 0, [i, code, "", "", ""])
        if value is not None:
            ws.write(row, 5, value)
        row += 1
    wb.close()
    return path


def run_etl(*args: str, db: Path | None = None, check: bool = False) -> subprocess.CompletedProcess:
    """Run `python -m etl ...` as a user would, in a subprocess."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if db is not None:
        env["DASHBOARD_DB"] = str(db)
    proc = subprocess.run(
        [sys.executable, "-m", "etl", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if check and proc.returncode != 0:
        raise AssertionError(proc.stdout + proc.stderr)
    return proc


def ingest_json(*paths: Path, db: Path, extra: tuple[str, ...] = ()) -> tuple[int, dict]:
    proc = run_etl("ingest", *map(str, paths), "--db", str(db), "--json", *extra)
    return proc.returncode, json.loads(proc.stdout)


def load_units(db: Path, registry: Path | None = None) -> Path:
    """Load a unit list into `db` and publish it, as a Sở does with `python -m etl units load`."""
    from etl.db import connect, publish_snapshot
    from etl.ingest import replace_units
    from etl.registry import DEMO_REGISTRY_CSV, read_registry

    with closing(connect(db)) as con:
        replace_units(con, read_registry(registry or DEMO_REGISTRY_CSV))
        publish_snapshot(con, db)
    return db


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A Sở's database that has loaded its unit list (the demo province's list, as a real one)."""
    return load_units(tmp_path / "db" / "dashboard.duckdb")


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the group into the test's id
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`-n 2 --dist loadgroup`), all browser tests run in one worker.

    They share one demo server per session (tests/browser.py); spread over two workers each
    would start its own server and Chromium, which costs more than it saves on two cores.
    """
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Close the snapshot connections the in-process page runs (AppTest) cached, before the
    interpreter ends: DuckDB reports connections still open at exit as leaks."""
    import gc

    import streamlit as st

    st.cache_resource.clear()
    gc.collect()

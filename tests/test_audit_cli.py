"""Every command that changes a Sở's data leaves a row in its audit log, with who ran it."""

from __future__ import annotations

import getpass
from contextlib import closing
from pathlib import Path

from accounts.audit import events
from accounts.store import connect, store_path
from etl.registry import DEMO_REGISTRY_CSV
from tests.conftest import run_etl, write_submission


def test_units_load_ingest_backup_and_restore_are_audited(tmp_path: Path, db: Path) -> None:
    run_etl("units", "load", str(DEMO_REGISTRY_CSV), "--db", str(db), check=True)
    good = write_submission(tmp_path / "bvm_2024.xlsx", "BVM", 2024, {"staff_total": 120})
    run_etl("ingest", str(good), "--db", str(db), "--dry-run", check=True)
    run_etl("ingest", str(good), "--db", str(db), check=True)
    archive = tmp_path / "sao_luu.zip"
    run_etl("backup", "--out", str(archive), "--db", str(db), check=True)
    run_etl("restore", str(archive), "--db", str(db), check=True)
    with closing(connect(store_path(db))) as con:
        rows = list(reversed(events(con)))
    assert [r["action"] for r in rows] == ["units_load", "ingest", "ingest", "backup", "restore"]
    assert {r["actor"] for r in rows} == {f"cli:{getpass.getuser()}"}
    dry, real = rows[1]["detail"], rows[2]["detail"]
    assert '"dry_run": true' in dry and '"accepted": 1' in dry
    assert '"dry_run": false' in real and '"accepted": 1' in real

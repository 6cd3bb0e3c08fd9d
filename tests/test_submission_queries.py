"""The submission pages' queries (app/submission_queries.py): scoped in SQL, files by hash."""

from __future__ import annotations

import pytest

from accounts.scope import Scope
from app import submission_queries as sq
from app.queries import OutOfScope
from etl.db import latest_snapshot
from tests.conftest import ingest_json, write_submission
from tests.test_ingest import GOOD

BVM = Scope("don_vi", "BVM")


@pytest.fixture
def loaded(tmp_path, db):
    files = {
        "bvm_v1": write_submission(tmp_path / "bvm_v1.xlsx", "BVM", 2024, GOOD),
        "bvm_v2": write_submission(
            tmp_path / "bvm_v2.xlsx", "BVM", 2024, {**GOOD, "complaints_received": 20}
        ),
        "cdc": write_submission(tmp_path / "cdc.xlsx", "CDC", 2024, GOOD),
    }
    ingest_json(*files.values(), db=db)
    return db, str(latest_snapshot(db)), files


def test_a_unit_gets_its_own_versions_only(loaded):
    _, snap, _ = loaded

    mine = sq.submission_history(snap, BVM)
    every = sq.submission_history(snap, Scope.province())

    assert set(mine["unit_code"]) == {"BVM"} and mine.height == 2
    assert set(every["unit_code"]) == {"BVM", "CDC"}
    assert mine["source_name"].to_list() == ["bvm_v2.xlsx", "bvm_v1.xlsx"]  # newest first
    assert set(sq.unit_years(snap, BVM)["unit_code"]) == {"BVM"}
    with pytest.raises(OutOfScope):
        sq.submission_history(snap, BVM, "CDC")
    with pytest.raises(OutOfScope):
        sq.version_values(snap, BVM, "CDC", 2024)


def test_versions_carry_their_values(loaded):
    _, snap, _ = loaded
    history = sq.submission_history(snap, BVM, "BVM", 2024).sort("submission_id")
    values = sq.version_values(snap, BVM, "BVM", 2024)

    first, second = history["submission_id"].to_list()
    got = {
        sid: dict(values.filter(values["submission_id"] == sid).select("indicator_code", "value_num").rows())
        for sid in (first, second)
    }
    assert got[first]["complaints_received"] == 12 and got[second]["complaints_received"] == 20


def test_the_original_file_comes_back_byte_for_byte_and_never_to_another_unit(loaded):
    db, snap, files = loaded
    history = sq.submission_history(snap, Scope.province())
    ids = dict(zip(history["source_name"], history["submission_id"], strict=True))

    name, data = sq.raw_file(snap, BVM, db, ids["bvm_v1.xlsx"])

    assert name == "bvm_v1.xlsx" and data == files["bvm_v1"].read_bytes()
    assert sq.raw_file(snap, BVM, db, ids["cdc.xlsx"]) is None
    assert sq.raw_file(snap, Scope.province(), db, ids["cdc.xlsx"])[1] == files["cdc"].read_bytes()
    assert sq.raw_file(snap, BVM, db, 10_000) is None


def test_a_kept_file_changed_on_disk_is_not_served(loaded):
    db, snap, _ = loaded
    history = sq.submission_history(snap, BVM)
    sid, sha = (
        history.filter(history["source_name"] == "bvm_v1.xlsx").select("submission_id", "sha256").row(0)
    )
    (db.parent / "raw" / sha[:2] / f"{sha}.xlsx").write_bytes(b"changed")

    assert sq.raw_file(snap, BVM, db, sid) is None

"""Hostile and broken files: each refused with a Vietnamese message naming the file, what is
wrong and what to do, before a reader builds anything big (the limits: etl/limits.py).

The files are made here, in tmp_path (tests/hostile.py); bench/hostile.py times each refusal
and measures its memory, which a unit test does not assert.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.users import User
from app.upload import MAX_NAME, Upload, ingest_uploads, safe_name
from etl.limits import MAX_COLUMNS, MAX_FILE_BYTES, MAX_FILE_MB, MAX_ROWS, check_workbook_zip
from etl.readers import read_file
from etl.validate import validate
from tests import hostile
from tests.conftest import ROOT, run_etl
from tests.fuzz import REGISTRY, TODAY, tally

LIMIT_ROWS = f"{MAX_ROWS:,}".replace(",", ".")

# builder -> words the refusal must hold (besides the file's name and «Cách sửa»)
REFUSED = {
    hostile.zip_bomb: "giải nén lớn bất thường",
    hostile.lying_zip: "giải nén lớn bất thường",
    hostile.understated_zip: "giải nén lớn bất thường",
    hostile.huge_file: f"tệp nặng 200 MB, quá giới hạn {MAX_FILE_MB} MB",
    hostile.million_rows: f"có hơn {LIMIT_ROWS} dòng",
    hostile.far_corner: f"có hơn {LIMIT_ROWS} dòng",
    hostile.far_column: f"ngoài {MAX_COLUMNS} cột đầu",
    hostile.million_rows_csv: f"có hơn {LIMIT_ROWS} dòng",
    hostile.uncached_formula: "ô D11: ô có công thức nhưng tệp không lưu kết quả",
    hostile.binary_csv: "dữ liệu nhị phân",
}


@pytest.mark.parametrize("build", list(REFUSED), ids=lambda b: b.__name__)
def test_a_hostile_file_is_refused_with_what_is_wrong_and_what_to_do(tmp_path, build):
    path = build(tmp_path)
    result = validate(read_file(path), REGISTRY, TODAY)
    assert not result.records  # refused whole
    [error] = result.errors
    assert f"Tệp «{path.name}»" in error.message
    assert REFUSED[build] in error.message
    assert "Cách sửa:" in error.message


@pytest.mark.parametrize(
    "build", [b for b in REFUSED if b is not hostile.huge_file], ids=lambda b: b.__name__
)
def test_a_second_copy_gets_the_same_verdict_from_the_remembered_archive_parts(tmp_path, build):
    """The archive check remembers parts it scanned (a folder of one template's reports):
    the same parts again, in a file of another name, are refused or reported alike."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = build(tmp_path / "a")
    second = tmp_path / "b" / first.name
    second.write_bytes(first.read_bytes())
    check_workbook_zip(first, first.read_bytes())  # the parts now remembered, whatever the order of tests
    messages = [[e.message for e in read_file(path).errors] for path in (first, second)]
    assert messages[0] == messages[1] and messages[0]


def test_formulas_are_read_as_their_stored_results_never_evaluated(tmp_path):
    path = hostile.formulas(tmp_path)
    parsed = read_file(path)
    assert not parsed.errors
    values = {cell.indicator_text: cell.value for rec in parsed.records for cell in rec.cells}
    # "=1+1" stored with the result 96: the stored result is what the unit sent
    assert values == {"staff_total": 450.0, "sat_inpatient_pct": 92.5, "sat_inpatient_n": 96.0}
    [warning] = parsed.warnings
    assert "liên kết ngoài" in warning.message and "chỉ đọc giá trị đã lưu" in warning.message


def test_a_folder_of_hostile_files_gets_a_verdict_for_each_through_the_cli(tmp_path, db):
    folder = tmp_path / "hop_thu"
    folder.mkdir()
    built = {build: build(folder) for build in (*REFUSED, hostile.formulas, hostile.control_name)}
    proc = run_etl("ingest", str(folder), "--db", str(db), "--json")
    assert proc.returncode == 1, proc.stderr
    files = {Path(f["path"]).name: f for f in json.loads(proc.stdout)["files"]}
    assert len(files) == len(built)
    for build, path in built.items():
        verdict = files[path.name]
        if build in REFUSED:
            assert verdict["status"] == "rejected", path.name
            assert any(REFUSED[build] in m["message"] for m in verdict["errors"]), verdict["errors"]
        else:
            assert verdict["status"] == "accepted", verdict
    # the 200 MB file was hashed, never kept among the raw files (the others are, as sent)
    kept = [p.stat().st_size for p in (db.parent / "raw").rglob("*") if p.is_file()]
    assert len(kept) == len(built) - 1 and max(kept) <= MAX_FILE_BYTES


def test_a_file_name_with_an_escape_sequence_cannot_rewrite_the_terminal(tmp_path, db):
    path = hostile.control_name(tmp_path)
    proc = run_etl("ingest", str(path), "--db", str(db), "--dry-run")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "\x1b" not in proc.stdout and "\x08" not in proc.stdout
    assert "bvdkt?[2J?_2024.xlsx" in proc.stdout


def test_the_browsers_upload_limit_is_the_ingests(tmp_path, db):
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_FILE_MB
    # a larger file that still reaches the server is refused by the ingest it runs
    data = b"PK\x03\x04" + bytes(MAX_FILE_MB * 1024 * 1024)
    user = User("quan_tri", "quan_tri", None, None, False, "", "")
    [verdict] = ingest_uploads(db, [Upload("bao_cao_lon.xlsx", data)], user)
    assert verdict.verdict == "TỪ CHỐI"
    assert f"quá giới hạn {MAX_FILE_MB} MB" in verdict.errors[0]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../../etc/cron.d/bvm.xlsx", "bvm.xlsx"),
        ("..\\..\\Windows\\bvm.xlsx", "bvm.xlsx"),
        ("/etc/passwd", "passwd"),
        ("bvm\x00.xlsx", "bvm.xlsx"),
        ("\x1b[2Jbvm\r\n.xlsx", "[2Jbvm.xlsx"),
        ("\u202eslx.bvm.xlsx", "slx.bvm.xlsx"),
        (".xlsx", "tep_tai_len.xlsx"),
        ("..", "tep_tai_len"),
        ("...", "tep_tai_len"),
        ("bvm\u2028 2025\u3000.xlsx", "bvm 2025 .xlsx"),
    ],
)
def test_an_uploaded_name_cannot_leave_its_folder_nor_hold_control_characters(sent, kept):
    assert safe_name(sent) == kept


@given(name=st.text(max_size=300))
def test_any_uploaded_name_is_one_plain_file_name(name):
    tally("upload: safe name")
    kept = safe_name(name)
    assert kept and len(kept) <= MAX_NAME
    assert "/" not in kept and "\\" not in kept and kept not in (".", "..")
    assert not kept.startswith(".") and kept == kept.strip()
    assert kept.isprintable()


def test_thousands_of_files_in_one_folder_each_get_a_verdict(tmp_path, db):
    folder = hostile.many_files(tmp_path, 2000)
    proc = run_etl("ingest", str(folder), "--db", str(db), "--json", "--dry-run")
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc = json.loads(proc.stdout)
    assert len(doc["files"]) == 2000
    assert doc["summary"] == {"accepted": 2000, "rejected": 0, "unchanged": 0}

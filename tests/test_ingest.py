"""End-to-end: `python -m etl ingest` on real files, and its transaction guarantees."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from etl.checks import run_checks
from tests.conftest import ROOT, ingest_json, load_units, run_etl, write_submission

GOOD = {
    "staff_total": "1.234",
    "sat_inpatient_pct": "92,5%",
    "sat_inpatient_n": 350,
    "complaints_received": 12,
    "complaints_resolved": 11,
    "dv_self_rating": "Tốt",
    "qcdc_conference": "Có",
    "highlights": "Duy trì đường dây nóng, hòm thư góp ý.",
}


def query(db: Path, sql: str, params=None) -> list[tuple]:
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        return con.execute(sql, params or []).fetchall()


def current(db: Path, unit: str, year: int) -> dict:
    rows = query(
        db,
        "select indicator_code, coalesce(value_text, value_num::varchar) from current_values where unit_code = ? and year = ?",
        [unit, year],
    )
    return dict(rows)


def test_a_good_file_is_accepted_and_reported_as_json(tmp_path, db):
    f = write_submission(tmp_path / "in" / "bvdkt_2024.xlsx", "BVDKT", 2024, GOOD)
    code, doc = ingest_json(f, db=db)
    assert code == 0
    [entry] = doc["files"]
    assert entry["status"] == "accepted"
    assert (entry["unit_code"], entry["year"]) == ("BVDKT", 2024)
    assert len(entry["sha256"]) == 64
    assert doc["summary"] == {"accepted": 1, "rejected": 0, "unchanged": 0}
    values = current(db, "BVDKT", 2024)
    assert values["staff_total"] == "1234.0"
    assert values["sat_inpatient_pct"] == "92.5"
    assert values["dv_self_rating"] == "Tốt"
    [(status, name)] = query(db, "select status, source_name from submissions")
    assert (status, name) == ("accepted", "bvdkt_2024.xlsx")
    # the raw file is kept under data/raw by its hash
    assert (
        db.parent / "raw" / entry["sha256"][:2] / f"{entry['sha256']}.xlsx"
    ).read_bytes() == f.read_bytes()


def test_same_file_twice_is_unchanged(tmp_path, db):
    f = write_submission(tmp_path / "a.xlsx", "BVDKT", 2024, GOOD)
    ingest_json(f, db=db)
    copy = tmp_path / "copy_of_a.xlsx"
    shutil.copy(f, copy)
    code, doc = ingest_json(copy, db=db)
    assert code == 0
    assert doc["files"][0]["status"] == "unchanged"
    assert query(db, "select count(*) from submissions") == [(1,)]


def test_resubmission_supersedes_and_keeps_the_old_version(tmp_path, db):
    first = write_submission(tmp_path / "v1.xlsx", "BVDKT", 2024, GOOD)
    second = write_submission(tmp_path / "v2.xlsx", "BVDKT", 2024, {**GOOD, "complaints_received": 15})
    ingest_json(first, db=db)
    code, doc = ingest_json(second, db=db)
    assert code == 0 and doc["files"][0]["status"] == "accepted"
    assert current(db, "BVDKT", 2024)["complaints_received"] == "15.0"
    statuses = dict(query(db, "select source_name, status from submissions"))
    assert statuses == {"v1.xlsx": "superseded", "v2.xlsx": "accepted"}
    assert run_checks(duckdb.connect(str(db), read_only=True)) == []


def test_rejected_file_after_an_accepted_one_changes_nothing(tmp_path, db):
    ok = write_submission(tmp_path / "ok.xlsx", "BVDKT", 2024, GOOD)
    bad = write_submission(tmp_path / "bad.xlsx", "BVDKT", 2024, {**GOOD, "complaints_resolved": 40})
    ingest_json(ok, db=db)
    before = current(db, "BVDKT", 2024)
    code, doc = ingest_json(bad, db=db)
    assert code == 1
    [entry] = doc["files"]
    assert entry["status"] == "rejected"
    [err] = entry["errors"]
    assert err["indicator"] == "complaints_resolved"
    assert err["where"].startswith("Báo cáo!F")
    assert "bad.xlsx" in err["message"] and "Cách sửa" in err["message"]
    assert current(db, "BVDKT", 2024) == before
    rows = query(db, "select status, errors from submissions where source_name = 'bad.xlsx'")
    assert rows[0][0] == "rejected" and "complaints_resolved" in rows[0][1]


def test_dry_run_writes_nothing(tmp_path, db):
    f = write_submission(tmp_path / "a.xlsx", "BVDKT", 2024, GOOD)
    before = db.read_bytes()
    code, doc = ingest_json(f, db=db, extra=("--dry-run",))
    assert code == 0 and doc["files"][0]["status"] == "accepted"
    assert db.read_bytes() == before
    assert not (db.parent / "raw").exists()
    ingest_json(write_submission(tmp_path / "b.xlsx", "BVM", 2024, GOOD), db=db)
    mtime, size = db.stat().st_mtime_ns, db.stat().st_size
    code, doc = ingest_json(f, db=db, extra=("--dry-run",))
    assert doc["files"][0]["status"] == "accepted"
    assert (db.stat().st_mtime_ns, db.stat().st_size) == (mtime, size)
    assert query(db, "select count(*) from submissions") == [(1,)]


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def encode_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: letters like ô, ư precomposed, tone marks as combining characters."""
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in decomposed if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


MESSY_CSV = {
    "bom_semicolon.csv": ("utf-8-sig", ";"),
    "utf16_tab.csv": ("utf-16", "\t"),
    "legacy_cp1258.csv": ("cp1258", ","),
}


def _template_csv(unit_name: str, year: int, values: dict, sep: str) -> str:
    lines = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "",
        f"Mã đơn vị{sep}",
        f"Tên đơn vị{sep}{unit_name}",
        f"Năm báo cáo{sep}{year}",
        "",
    ]
    lines.append(f"Mã chỉ tiêu{sep}Giá trị")
    lines += [f'{k}{sep}"{v}"' if sep == "," else f"{k}{sep}{v}" for k, v in values.items()]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("name", list(MESSY_CSV))
def test_csv_encodings_and_separators(tmp_path, db, name):
    encoding, sep = MESSY_CSV[name]
    text = _template_csv(
        "Trung tâm Y tế huyện Hoà Thuận",
        2023,
        {"staff_total": "1.234", "sat_staff_pct": "88,5", "sat_staff_n": "120"},
        sep,
    )
    path = tmp_path / name
    path.write_bytes(encode_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    code, doc = ingest_json(path, db=db)
    assert doc["files"][0]["errors"] == []
    assert code == 0
    assert current(db, "TTYT_HOATHUAN", 2023) == {
        "staff_total": "1234.0",
        "sat_staff_pct": "88.5",
        "sat_staff_n": "120.0",
    }


def test_folder_with_every_mess(tmp_path, db):
    inbox = tmp_path / "inbox"
    write_submission(
        inbox / "2024" / "nfd_name.xlsx",
        None,
        2024,
        GOOD,
        unit_name=unicodedata.normalize("NFD", "BVĐK tỉnh"),
    )
    write_submission(inbox / "2024" / "fraction.xlsx", "BVM", 2024, {**GOOD, "sat_inpatient_pct": 0.925})
    write_submission(inbox / "2024" / "unknown_unit.xlsx", "BV_KHONG_CO", 2024, GOOD)
    write_submission(inbox / "2024" / "wrong_year.xlsx", "BVPH", 2031, GOOD)
    write_submission(inbox / "2024" / "merged_unit.xlsx", "TTYT_PHULAM", 2025, GOOD)
    (inbox / "2024" / "~$lockfile.xlsx").write_bytes(b"lock")
    (inbox / "notes.txt").write_text("không phải báo cáo")
    (inbox / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook")
    code, doc = ingest_json(inbox, db=db)
    assert code == 1
    by_name = {Path(f["path"]).name: f for f in doc["files"]}
    assert "~$lockfile.xlsx" not in by_name
    assert by_name["nfd_name.xlsx"]["status"] == "accepted"
    assert by_name["nfd_name.xlsx"]["unit_code"] == "BVDKT"
    assert by_name["fraction.xlsx"]["status"] == "accepted"
    assert any("phân số" in w["message"] for w in by_name["fraction.xlsx"]["warnings"])
    for name, fragment in [
        ("unknown_unit.xlsx", "không có đơn vị"),
        ("wrong_year.xlsx", "tương lai"),
        ("merged_unit.xlsx", "TTYTKV_HOATHUAN"),
        ("broken.xlsx", "broken.xlsx"),
        ("notes.txt", "không tìm thấy dòng tiêu đề"),  # every file in a folder gets a verdict
    ]:
        entry = by_name[name]
        assert entry["status"] == "rejected", name
        assert fragment in entry["errors"][0]["message"], (name, entry["errors"])
    assert doc["summary"] == {"accepted": 2, "rejected": 5, "unchanged": 0}
    rejected = query(db, "select count(*) from submissions where status = 'rejected'")
    assert rejected == [(5,)]


def test_wide_history_table(tmp_path, db):
    path = tmp_path / "lich_su.csv"
    path.write_text(
        "Bảng số liệu lịch sử do Sở tổng hợp\n"
        "unit_code;year;staff_total;sat_inpatient_pct;sat_inpatient_n;dv_official_rating\n"
        "BVDKT;2016;1.050;90,1;800;Tốt\n"
        "BVDKT;2017;1.080;91,3;820;Xuất sắc\n"
        "CDC;2018;120;;;Khá\n",
        encoding="utf-8-sig",
    )
    code, doc = ingest_json(path, db=db)
    assert code == 0, doc
    assert current(db, "BVDKT", 2017)["sat_inpatient_pct"] == "91.3"
    assert current(db, "CDC", 2018) == {"staff_total": "120.0", "dv_official_rating": "Khá"}
    assert query(db, "select count(*) from submissions where status = 'accepted'") == [(3,)]


def test_usage_errors_exit_2(tmp_path, db):
    assert run_etl("ingest", str(tmp_path / "missing.xlsx"), "--db", str(db)).returncode == 2
    assert run_etl().returncode == 2
    assert run_etl("ingest").returncode == 2


def _whole_files_only(db: Path) -> int:
    """The database opens, every accepted file has all its values, the checks pass; the count."""
    with closing(duckdb.connect(str(db))) as con:
        accepted = con.execute("select count(*) from submissions where status = 'accepted'").fetchone()[0]
        half_written = con.execute(
            "select count(*) from submissions s where n_values <> "
            "(select count(*) from submitted_values v where v.submission_id = s.submission_id)"
        ).fetchone()[0]
        assert half_written == 0
        assert con.execute("select count(*) from submitted_values").fetchone()[0] == accepted * len(GOOD)
        assert run_checks(con) == []
    return accepted


def test_killed_at_random_points_leaves_only_whole_files_and_a_rerun_completes(tmp_path, db):
    """SIGKILL the CLI ingest again and again, a few files in (batches of 3 files, so kills fall
    between and inside transactions): never half a file, and the last run gives every file the
    verdict a clean run gives it."""
    inbox = tmp_path / "inbox"
    units = ["BVDKT", "BVM", "BVPH", "BVTT", "BVSN", "CDC", "TTKN", "TTPY"]
    for year in range(2015, 2025):
        for unit in units:
            if unit == "CDC" and year < 2018:
                continue
            write_submission(inbox / f"{unit}_{year}.xlsx", unit, year, {**GOOD, "staff_total": 100 + year})
    write_submission(inbox / "BVM_2014.xlsx", "BVM", 2014, {**GOOD, "complaints_resolved": 99})  # rejected
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DASHBOARD_INGEST_BATCH": "3"}
    raw = db.parent / "raw"
    rng = random.Random(14)
    counts = []
    for _ in range(4):
        proc = subprocess.Popen(
            [sys.executable, "-m", "etl", "ingest", str(inbox), "--db", str(db)], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        # kill once this run has kept a few more raw files (they are kept before each write)
        target = len(list(raw.glob("*/*"))) + rng.randint(2, 12)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline and len(list(raw.glob("*/*"))) < target:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        counts.append(_whole_files_only(db))
    assert counts == sorted(counts) and 0 < counts[-1] < 77, counts  # progress kept, work left
    code, doc = ingest_json(inbox, db=db)
    assert code == 1  # the rejected file, told again
    clean_db = load_units(tmp_path / "clean" / "dashboard.duckdb")
    _, clean = ingest_json(inbox, db=clean_db)
    verdict = lambda d: {Path(f["path"]).name: f["status"] for f in d["files"]}  # noqa: E731
    # what the re-run did not load again it finds unchanged; the rest as a clean run has it
    assert {n: ("accepted" if s == "unchanged" else s) for n, s in verdict(doc).items()} == verdict(clean)
    assert _whole_files_only(db) == _whole_files_only(clean_db) == 77


def test_template_filled_by_hand_is_accepted(tmp_path, db):
    """The acceptance path: blank template from the CLI, filled in Excel, ingested."""
    import openpyxl

    out = tmp_path / "mau.xlsx"
    proc = run_etl("template", "--out", str(out), "--unit", "BVDKT", "--year", "2024", db=db)
    assert proc.returncode == 0, proc.stderr
    wb = openpyxl.load_workbook(out)
    ws = next(
        s
        for s in wb.worksheets
        if any(c.value == "Mã chỉ tiêu" for row in s.iter_rows(max_row=30) for c in row)
    )
    header = next(row for row in ws.iter_rows(max_row=30) if any(c.value == "Mã chỉ tiêu" for c in row))
    code_col = next(c.column for c in header if c.value == "Mã chỉ tiêu")
    value_col = next(c.column for c in header if c.value == "Giá trị")
    labels = {
        c.value: c for row in ws.iter_rows(max_row=header[0].row) for c in row if isinstance(c.value, str)
    }
    assert ws.cell(labels["Mã đơn vị"].row, labels["Mã đơn vị"].column + 1).value == "BVDKT"
    assert str(ws.cell(labels["Năm báo cáo"].row, labels["Năm báo cáo"].column + 1).value) == "2024"
    typed = {
        "staff_total": "1.150",
        "sat_inpatient_pct": "93,2",
        "sat_inpatient_n": 410,
        "dv_self_rating": "Tốt",
    }
    for row in range(header[0].row + 1, ws.max_row + 1):
        code = ws.cell(row, code_col).value
        if code in typed:
            ws.cell(row, value_col).value = typed[code]
    wb.save(out)
    code, doc = ingest_json(out, db=db)
    assert code == 0, doc
    assert current(db, "BVDKT", 2024) == {
        "staff_total": "1150.0", "sat_inpatient_pct": "93.2", "sat_inpatient_n": "410.0", "dv_self_rating": "Tốt",
    }  # fmt: skip


def test_template_for_an_unknown_unit_is_a_usage_error(tmp_path, db):
    proc = run_etl("template", "--out", str(tmp_path / "x.xlsx"), "--unit", "KHONG_CO", db=db)
    assert proc.returncode == 2
    assert "KHONG_CO" in proc.stderr


def test_dry_run_gives_the_verdicts_of_a_real_run(tmp_path, db):
    # loaded earlier: a report and its correction, so the first is superseded
    old = write_submission(tmp_path / "earlier" / "bvm_v1.xlsx", "BVM", 2023, GOOD)
    write_submission(tmp_path / "earlier" / "bvm_v2.xlsx", "BVM", 2023, {**GOOD, "complaints_received": 14})
    assert ingest_json(tmp_path / "earlier", db=db)[0] == 0
    inbox = tmp_path / "inbox"
    first = write_submission(inbox / "a_bvdkt.xlsx", "BVDKT", 2024, GOOD)
    shutil.copy(first, inbox / "b_bvdkt (gửi lại).xlsx")  # the same bytes twice in one folder
    write_submission(inbox / "c_bvdkt_sua.xlsx", "BVDKT", 2024, {**GOOD, "complaints_received": 20})
    write_submission(inbox / "d_bvph.xlsx", "BVPH", 2024, GOOD)
    write_submission(inbox / "e_bvph_bo_sung.xlsx", "BVPH", 2024, {**GOOD, "staff_total": 1300})
    bad = write_submission(inbox / "f_bvtt_loi.xlsx", "BVTT", 2024, {**GOOD, "complaints_resolved": 40})
    shutil.copy(bad, inbox / "g_bvtt_loi_lan_2.xlsx")
    (inbox / "h_hong.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    shutil.copy(old, inbox / "i_bvm_cu.xlsx")  # an old version sent again
    shutil.copy(first, inbox / "j_bvdkt_lan_3.xlsx")  # a version superseded earlier in this run
    before = db.read_bytes()
    dry_code, dry = ingest_json(inbox, db=db, extra=("--dry-run",))
    assert db.read_bytes() == before
    real_code, real = ingest_json(inbox, db=db)
    assert [(Path(f["path"]).name, f["status"]) for f in dry["files"]] == [
        (Path(f["path"]).name, f["status"]) for f in real["files"]
    ]
    assert dry == real and dry_code == real_code == 1
    assert real["summary"] == {"accepted": 4, "rejected": 3, "unchanged": 3}


@pytest.mark.parametrize("dry_run", [False, True])
def test_no_unit_list_is_refused_with_the_units_load_hint(tmp_path, dry_run):
    extra = ("--dry-run",) if dry_run else ()
    f = write_submission(tmp_path / "a.xlsx", "BVDKT", 2024, GOOD)
    missing = tmp_path / "chua_co" / "so_y_te.duckdb"
    empty = tmp_path / "trong" / "so_y_te.duckdb"
    run_etl("check", "--db", str(empty), check=True)  # a database with its schema and no units
    for db in (missing, empty):
        for json_mode in ((), ("--json",)):
            proc = run_etl("ingest", str(f), "--db", str(db), *extra, *json_mode)
            assert proc.returncode == 2, proc.stdout + proc.stderr
            assert "chưa có danh sách đơn vị" in proc.stderr and str(db) in proc.stderr
            assert "python -m etl units load danh_sach_don_vi.csv" in proc.stderr
    assert not missing.exists() and not missing.parent.exists()
    assert query(empty, "select count(*) from submission_log") == [(0,)]
    assert query(empty, "select count(*) from units") == [(0,)]


FIXTURES = Path(__file__).parent / "fixtures"


def test_every_file_in_a_folder_gets_a_verdict_xls_and_ods_included(tmp_path, db):
    """The folder a clerk collects: .xls and .ods accepted with the same checks, a PDF and a
    password-protected workbook rejected with the reason; only Windows' own files passed over."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(FIXTURES / "bvm_2024_excel97.xls", inbox / "bvm_2024.xls")
    shutil.copy(FIXTURES / "bvm_2024_libreoffice.ods", inbox / "bvm_2024_ban_sua.ods")
    (inbox / "cong_van.pdf").write_bytes(b"%PDF-1.7 ...")
    shutil.copy(FIXTURES / "bvm_2024_co_mat_khau.xlsx", inbox / "mat_khau.xlsx")
    (inbox / "Thumbs.db").write_bytes(b"\x00" * 10)

    code, doc = ingest_json(inbox, db=db)

    by_name = {Path(f["path"]).name: f for f in doc["files"]}
    assert set(by_name) == {"bvm_2024.xls", "bvm_2024_ban_sua.ods", "cong_van.pdf", "mat_khau.xlsx"}
    assert by_name["bvm_2024.xls"]["status"] == "accepted", by_name["bvm_2024.xls"]["errors"]
    assert by_name["bvm_2024.xls"]["unit_code"] == "BVM" and by_name["bvm_2024.xls"]["year"] == 2024
    assert by_name["bvm_2024_ban_sua.ods"]["status"] == "accepted"
    assert "không nhận tệp có đuôi «.pdf»" in by_name["cong_van.pdf"]["errors"][0]["message"]
    assert "có đặt mật khẩu" in by_name["mat_khau.xlsx"]["errors"][0]["message"]
    assert code == 1 and doc["summary"] == {"accepted": 2, "rejected": 2, "unchanged": 0}
    assert current(db, "BVM", 2024)["staff_total"] == "120.0"


def test_only_unit_refuses_another_units_file_and_records_nothing(tmp_path, db):
    mine = write_submission(tmp_path / "bvm.xlsx", "BVM", 2024, GOOD)
    theirs = write_submission(tmp_path / "cdc.xlsx", "CDC", 2024, GOOD)

    code, doc = ingest_json(mine, theirs, db=db, extra=("--only-unit", "bvm"))

    assert code == 1
    ok, refused = doc["files"]
    assert ok["status"] == "accepted" and ok["unit_code"] == "BVM"
    assert refused["status"] == "rejected"
    message = refused["errors"][0]["message"]
    assert "Tệp «cdc.xlsx»: là báo cáo của đơn vị «CDC», không phải của đơn vị «BVM»" in message
    assert "Cách sửa:" in message
    assert query(db, "select count(*) from submissions where unit_code = 'CDC'") == [(0,)]


def test_only_unit_refuses_another_units_file_even_when_it_was_loaded_before(tmp_path, db):
    """The same bytes as CDC's report in force are still CDC's: not 'unchanged' for BVM."""
    theirs = write_submission(tmp_path / "cdc.xlsx", "CDC", 2024, GOOD)
    ingest_json(theirs, db=db)

    code, doc = ingest_json(theirs, db=db, extra=("--only-unit", "BVM"))

    assert code == 1 and doc["files"][0]["status"] == "rejected"
    assert "không phải của đơn vị «BVM»" in doc["files"][0]["errors"][0]["message"]


def test_only_unit_must_be_a_registered_unit(tmp_path, db):
    proc = run_etl("ingest", str(tmp_path), "--db", str(db), "--only-unit", "KHONG_CO")
    assert proc.returncode == 2 and "KHONG_CO" in proc.stderr


def test_free_text_keeps_its_line_breaks_from_the_cell_to_the_database(tmp_path, db):
    text = "- Thiếu bác sĩ chuyên khoa.\n-  Kinh phí  tập huấn còn ít.\r\n"
    f = write_submission(tmp_path / "bvm.xlsx", "BVM", 2024, {**GOOD, "difficulties": text})
    code, doc = ingest_json(f, db=db)
    assert code == 0, doc
    assert (
        current(db, "BVM", 2024)["difficulties"] == "- Thiếu bác sĩ chuyên khoa.\n- Kinh phí tập huấn còn ít."
    )


def test_two_ingests_at_once_take_turns(tmp_path, db):
    """Two operators run `python -m etl ingest` at the same moment: the second waits for the
    database (etl.db waits up to 10 s), then loads; both succeed and nothing is lost or mixed."""
    folders = {}
    for name, units in (("a", ["BVDKT", "BVM", "BVPH"]), ("b", ["BVTT", "BVSN", "TTKN"])):
        folders[name] = tmp_path / name
        for unit in units:
            for year in range(2019, 2025):
                write_submission(folders[name] / f"{unit}_{year}.xlsx", unit, year, GOOD)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "etl", "ingest", "--db", str(db), "--json"]
    procs = [
        subprocess.Popen(
            [*command, str(f)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for f in folders.values()
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    assert [json.loads(out)["summary"]["accepted"] for out, _ in outputs] == [18, 18]
    assert _whole_files_only(db) == 36
    # the pages' snapshot, published by whichever ran last, holds both folders
    from etl.db import latest_snapshot

    with closing(duckdb.connect(str(latest_snapshot(db)), read_only=True)) as snap:
        assert snap.execute("select count(*) from submissions where status = 'accepted'").fetchone()[0] == 36

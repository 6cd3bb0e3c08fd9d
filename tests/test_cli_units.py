"""`python -m etl units`: a Sở loads and exports its own unit list."""

from __future__ import annotations

from contextlib import closing

import duckdb

from tests.conftest import ingest_json, run_etl, write_submission

HEADER = "unit_code;name;short_name;unit_type;area;valid_from;valid_to;successor_code;rank_pool;aliases\n"


def _registry(tmp_path, rows: str):
    path = tmp_path / "don_vi.csv"
    path.write_text(HEADER + rows, encoding="utf-8-sig")
    return path


def test_load_then_ingest_and_export(tmp_path, db):
    reg = _registry(
        tmp_path,
        "SYT;Sở Y tế tỉnh Thử;Sở Y tế;co_quan_so;Toàn tỉnh;2015;;;tinh;\n"
        "TTYT_A;Trung tâm Y tế huyện A;TTYT A;ttyt;Bắc;2015;2024;TTYTKV_1;so;TTYT huyện A\n"
        "TTYTKV_1;Trung tâm Y tế khu vực 1;TTYT KV1;ttyt;Bắc;2025;;;so;\n",
    )
    proc = run_etl("units", "load", str(reg), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert "3 đơn vị" in proc.stdout
    code, doc = ingest_json(
        write_submission(tmp_path / "a.xlsx", None, 2024, {"staff_total": 80}, unit_name="TTYT huyện A"),
        db=db,
    )
    assert code == 0 and doc["files"][0]["unit_code"] == "TTYT_A"
    out = tmp_path / "xuat.csv"
    assert run_etl("units", "export", str(out), "--db", str(db)).returncode == 0
    text = out.read_bytes().decode("utf-8-sig")
    assert "TTYT_A" in text and "Trung tâm Y tế huyện A" in text


def test_a_unit_with_reports_cannot_be_dropped(tmp_path, db):
    reg = _registry(tmp_path, "TTYT_A;Trung tâm Y tế huyện A;TTYT A;ttyt;Bắc;2015;;;so;\n")
    run_etl("units", "load", str(reg), "--db", str(db), check=True)
    ingest_json(write_submission(tmp_path / "a.xlsx", "TTYT_A", 2024, {"staff_total": 80}), db=db)
    smaller = _registry(tmp_path, "TTYT_B;Trung tâm Y tế huyện B;TTYT B;ttyt;Bắc;2015;;;so;\n")
    proc = run_etl("units", "load", str(smaller), "--db", str(db))
    assert proc.returncode == 1
    assert "TTYT_A" in proc.stderr
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        assert con.execute("select unit_code from units").fetchall() == [("TTYT_A",)]


def test_bad_unit_type_is_explained(tmp_path, db):
    reg = _registry(tmp_path, "X;Đơn vị X;X;benh_vien;Bắc;2015;;;so;\n")
    proc = run_etl("units", "load", str(reg), "--db", str(db))
    assert proc.returncode == 1
    assert "benh_vien" in proc.stderr and "bv_tinh" in proc.stderr


def test_the_demo_database_keeps_the_demo_registry(tmp_path):
    db = tmp_path / "demo" / "dashboard.duckdb"
    run_etl("demo", "--db", str(db), check=True)
    reg = _registry(tmp_path, "TTYT_A;Trung tâm Y tế huyện A;TTYT A;ttyt;Bắc;2015;;;so;\n")
    proc = run_etl("units", "load", str(reg), "--db", str(db))
    assert proc.returncode == 2
    assert "minh họa" in proc.stderr

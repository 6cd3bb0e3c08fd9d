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


def _audit_rows(db, action: str) -> list[tuple]:
    from accounts.audit import all_events
    from accounts.store import store_path

    return [(e[2], e[3], e[4]) for e in all_events(store_path(db)) if e[2] == action]


def _unit_row(db, code: str) -> tuple:
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        return con.execute(
            "select name, valid_from, valid_to, successor_code, aliases from units where unit_code = ?",
            [code],
        ).fetchone()


def test_rename_from_the_cli_and_export_keeps_the_old_name(tmp_path, db):
    proc = run_etl("units", "rename", "BVM", "--name", "Bệnh viện Mắt An Lạc", "--short-name", "BV Mắt AL",
                   "--from-year", "2026", "--by", "quan_tri", "--db", str(db))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "«Bệnh viện Mắt tỉnh An Lạc» thành «Bệnh viện Mắt An Lạc»" in proc.stdout
    assert "units export" in proc.stdout  # the reminder to keep the Sở's CSV in step
    assert _unit_row(db, "BVM")[0] == "Bệnh viện Mắt An Lạc"
    out = tmp_path / "sau_doi_ten.csv"
    run_etl("units", "export", str(out), "--db", str(db), check=True)
    line = next(row for row in out.read_bytes().decode("utf-8-sig").splitlines() if row.startswith("BVM,"))
    assert "Bệnh viện Mắt An Lạc" in line and "Bệnh viện Mắt tỉnh An Lạc" in line
    assert _audit_rows(db, "units_rename")[-1][1:] == ("BVM", "ok")

    refused = run_etl("units", "rename", "KHONGCO", "--name", "X", "--from-year", "2026", "--db", str(db))
    assert refused.returncode == 1 and "Không có đơn vị mã «KHONGCO»" in refused.stderr
    assert _audit_rows(db, "units_rename")[-1][1:] == ("KHONGCO", "failed")


def test_merge_from_the_cli_refuses_a_unit_that_reported_for_that_year(tmp_path, db):
    ingest_json(write_submission(tmp_path / "bvtt.xlsx", "BVTT", 2025, {"staff_total": 90}), db=db)
    args = ("units", "merge", "BVTT", "BVPH", "--into", "BVPTT", "--name", "Bệnh viện Phổi và Tâm thần",
            "--area", "Thành phố An Lạc", "--db", str(db))  # fmt: skip
    refused = run_etl(*args, "--from-year", "2025")
    assert refused.returncode == 1
    assert "đã có báo cáo được tiếp nhận cho năm 2025" in refused.stderr and "từ 2026" in refused.stderr
    assert _unit_row(db, "BVPTT") is None and _unit_row(db, "BVTT")[2] is None
    proc = run_etl(*args, "--from-year", "2026")
    assert proc.returncode == 0, proc.stderr
    assert _unit_row(db, "BVTT")[2:4] == (2025, "BVPTT") and _unit_row(db, "BVPTT")[1] == 2026
    assert [r[2] for r in _audit_rows(db, "units_merge")] == ["failed", "ok"]


def test_split_from_the_cli_needs_a_name_per_new_unit(db):
    base = ("units", "split", "BVDKKV_NAM", "--into", "BVKV_NAM1", "BVKV_NAM2", "--from-year", "2026",
            "--db", str(db))  # fmt: skip
    usage = run_etl(*base, "--name", "Bệnh viện khu vực Nam 1")
    assert usage.returncode == 2 and "một --name cho mỗi đơn vị mới" in usage.stderr
    proc = run_etl(*base, "--name", "Bệnh viện khu vực Nam 1", "--name", "Bệnh viện khu vực Nam 2")
    assert proc.returncode == 0, proc.stderr
    assert "không quy đổi sang đơn vị mới nào" in proc.stdout
    assert _unit_row(db, "BVDKKV_NAM")[2:4] == (2025, None)
    assert _unit_row(db, "BVKV_NAM2")[:3] == ("Bệnh viện khu vực Nam 2", 2026, None)


def test_close_from_the_cli(db):
    before_opening = run_etl("units", "close", "TTCC115", "--from-year", "2019", "--db", str(db))
    assert before_opening.returncode == 1 and "bắt đầu hoạt động năm 2019" in before_opening.stderr
    proc = run_etl("units", "close", "TTCC115", "--from-year", "2026", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    assert "năm hoạt động cuối cùng là 2025" in proc.stdout
    assert _unit_row(db, "TTCC115")[2:4] == (2025, None)
    again = run_etl("units", "close", "TTCC115", "--from-year", "2026", "--db", str(db))
    assert again.returncode == 1 and "đã thôi hoạt động từ năm 2026" in again.stderr


def test_a_change_on_a_database_that_does_not_exist_creates_nothing(tmp_path):
    missing = tmp_path / "chua_co" / "so.duckdb"
    proc = run_etl("units", "close", "BVM", "--from-year", "2026", "--db", str(missing))
    assert proc.returncode == 2 and "units load" in proc.stderr
    assert not missing.exists()

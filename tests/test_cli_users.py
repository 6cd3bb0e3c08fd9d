"""`python -m etl users ...` as an operator types it, and the server's refusal of demo passwords."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from accounts.audit import events
from accounts.demo import write_demo_accounts
from accounts.sessions import authenticate
from accounts.store import connect, store_path
from tests.conftest import ROOT

GOOD = "mat-khau-cua-so-2026"


def users(*args: str, db: Path, password: str | None = None) -> subprocess.CompletedProcess:
    """`python -m etl users ARGS --db DB`, the password (if any) typed on standard input."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "etl", "users", *args, "--db", str(db)],
        cwd=ROOT, env=env, input=(password + "\n") if password is not None else "", capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip


def test_add_list_disable_enable_reset(db: Path) -> None:
    assert users("add", "admin", "--role", "quan_tri", db=db, password=GOOD).returncode == 0
    added = users(
        "add", "bvm", "--role", "don_vi", "--unit", "bvm", "--name", "Nguyễn Văn A", db=db, password=GOOD
    )
    assert added.returncode == 0, added.stderr
    listed = users("list", db=db).stdout
    assert "admin" in listed and "Quản trị" in listed and "BVM" in listed
    assert users("disable", "bvm", db=db).returncode == 0
    assert "đã khoá" in users("list", db=db).stdout
    assert users("enable", "bvm", db=db).returncode == 0
    assert users("reset-password", "bvm", db=db, password=GOOD + "-moi").returncode == 0
    with closing(connect(store_path(db))) as con:
        assert authenticate(con, "bvm", GOOD + "-moi", client=None).user is not None
        assert authenticate(con, "admin", GOOD, client=None).user is not None
        logged = [(e["action"], e["target"]) for e in reversed(events(con))]
        actors = {e["actor"] for e in events(con, actions=("user_added",))}
    assert [a for a in logged if a[0] != "login"] == [
        ("user_added", "admin"), ("user_added", "bvm"), ("user_disabled", "bvm"), ("user_enabled", "bvm"),
        ("password_reset", "bvm"),
    ]  # fmt: skip
    assert all(a.startswith("cli:") for a in actors)


def test_the_password_never_comes_from_the_command_line(db: Path) -> None:
    proc = users("add", "admin", "--role", "quan_tri", GOOD, db=db, password=GOOD)
    assert proc.returncode == 2


def test_a_real_database_refuses_the_demo_password_and_bad_units(db: Path) -> None:
    proc = users("add", "lanh_dao", "--role", "lanh_dao", db=db, password="demo")
    assert proc.returncode == 2 and "minh họa" in proc.stderr
    proc = users("add", "x", "--role", "don_vi", "--unit", "KHONG_CO", db=db, password=GOOD)
    assert proc.returncode == 2 and "KHONG_CO" in proc.stderr
    proc = users("add", "yy", "--role", "don_vi", db=db, password=GOOD)
    assert proc.returncode == 2 and "--unit" in proc.stderr
    assert "Chưa có tài khoản" in users("list", db=db).stdout


def _server(db: Path) -> subprocess.CompletedProcess:
    """Start the dashboard's server on `db`; it either refuses at once or is stopped after a few seconds."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DASHBOARD_DB": str(db)}
    try:
        return subprocess.run(
            [sys.executable, "-m", "app.server", "--server.port", "0", "--server.address", "127.0.0.1"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=20,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        return subprocess.CompletedProcess(exc.cmd, -1, exc.stdout or "", exc.stderr or "")


def test_the_server_will_not_start_on_a_real_database_with_a_demo_password(db: Path) -> None:
    # e.g. the demo's accounts file copied beside the Sở's database
    with closing(connect(store_path(db))) as con:
        con.execute("select 1")
    write_demo_accounts(store_path(db), ["BVM"])
    proc = _server(db)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "mật khẩu minh họa" in proc.stderr and "bvm" in proc.stderr and "reset-password" in proc.stderr


def test_the_server_builds_no_demo_into_a_file_named_for_the_so(tmp_path: Path) -> None:
    db = tmp_path / "data" / "so_y_te.duckdb"
    proc = _server(db)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "units load" in proc.stderr and not db.exists()

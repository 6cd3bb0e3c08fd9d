"""Accounts: password hashing, users, login throttling and lockout, session expiry, the audit log.

Every test uses a real SQLite store under tmp_path and a clock of its own (`now`), so
throttling, lockout and expiry are tested without sleeping.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from accounts import sessions
from accounts.audit import events, record_event
from accounts.demo import write_demo_accounts
from accounts.passwords import DEMO_PASSWORD, hash_password, password_problem, verify_password
from accounts.scope import Scope
from accounts.sessions import POLICY, WRONG, authenticate, end_session, session_user
from accounts.store import connect, store_path
from accounts.users import (
    AccountError,
    accounts_with_demo_password,
    add_user,
    change_password,
    get_user,
    reset_password,
    set_disabled,
)

GOOD = "mat-khau-dai-du"
T0 = 1_800_000_000.0


@pytest.fixture
def con(tmp_path: Path):
    with closing(connect(store_path(tmp_path / "db" / "so_y_te.duckdb"))) as c:
        yield c


@pytest.fixture
def admin(con):
    return add_user(con, "Admin", GOOD, "quan_tri", is_demo=False, actor="test")


def actions(con) -> list[str]:
    return [e["action"] for e in reversed(events(con))]


def login(con, name="admin", password=GOOD, now=T0, client="10.0.0.5"):
    return authenticate(con, name, password, client=client, now=now)


def test_store_sits_beside_the_database_and_uses_wal(tmp_path: Path, con) -> None:
    assert store_path(tmp_path / "data" / "so_y_te.duckdb") == tmp_path / "data" / "so_y_te.accounts.sqlite3"
    assert con.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_passwords_are_salted_argon2id_hashes() -> None:
    first, second = hash_password(GOOD), hash_password(GOOD)
    assert first.startswith("$argon2id$") and first != second
    assert verify_password(first, GOOD) and not verify_password(first, GOOD + "x")
    assert not verify_password("not a hash", GOOD)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("demo", "minh họa"),
        ("DEMO ", "minh họa"),
        ("ngan", "ít nhất"),
        ("", "trống"),
        ("admin12345", "trùng"),
    ],
)
def test_a_real_database_refuses_weak_and_demo_passwords(password: str, problem: str) -> None:
    assert problem in (password_problem(password, "admin12345", is_demo=False) or "")


def test_the_demo_database_takes_the_demo_password() -> None:
    assert password_problem(DEMO_PASSWORD, "lanh_dao", is_demo=True) is None


def test_add_user_normalises_names_checks_roles_and_audits(con, admin) -> None:
    assert admin.username == "admin" and admin.scope == Scope("quan_tri")
    with pytest.raises(AccountError, match="đơn vị"):
        add_user(con, "bvm", GOOD, "don_vi", is_demo=False, actor="admin")
    with pytest.raises(AccountError, match="Đã có"):
        add_user(con, "ADMIN", GOOD, "lanh_dao", is_demo=False, actor="admin")
    with pytest.raises(AccountError, match="không hợp lệ"):
        add_user(con, "Nguyễn Văn A", GOOD, "lanh_dao", is_demo=False, actor="admin")
    with pytest.raises(AccountError, match="minh họa"):
        add_user(con, "lanh_dao", DEMO_PASSWORD, "lanh_dao", is_demo=False, actor="admin")
    unit = add_user(con, "bvm", GOOD, "don_vi", unit_code="BVM", is_demo=False, actor="admin")
    assert unit.scope == Scope("don_vi", "BVM")
    assert actions(con) == ["user_added", "user_added"]


def test_login_opens_a_session_and_logout_ends_it(con, admin) -> None:
    result = login(con)
    assert result.user == admin and result.token and result.message is None
    assert session_user(con, result.token, now=T0 + 60) == admin
    # only the token's hash is stored
    assert (
        con.execute("select count(*) from sessions where token_hash = ?", [result.token]).fetchone()[0] == 0
    )
    end_session(con, result.token, client="10.0.0.5")
    assert session_user(con, result.token, now=T0 + 61) is None
    assert actions(con)[-2:] == ["login", "logout"]
    assert events(con, actions=("login",))[0]["client"] == "10.0.0.5"


def test_a_failed_login_slows_the_next_attempt_down(con, admin) -> None:
    assert login(con, password="sai").message == WRONG
    # within the wait even the right password is not checked
    early = login(con, now=T0 + 0.5)
    assert early.user is None and "chờ" in (early.message or "")
    assert login(con, now=T0 + POLICY.wait_after(1) + 0.1).user == admin
    assert "login_throttled" in actions(con)


def test_repeated_failures_lock_the_account_for_a_while(con, admin) -> None:
    now = T0
    for _ in range(POLICY.max_failures):
        result = login(con, password="sai", now=now)
        now += POLICY.wait_after(POLICY.max_failures) + 1
    assert "khoá" in (result.message or "")
    locked = login(con, now=now)
    assert locked.user is None and "phút" in (locked.message or "")
    assert actions(con).count("login_locked") == 1
    assert login(con, now=T0 + POLICY.lockout_s + 60).user == admin


def test_unknown_names_get_the_same_answers_as_known_ones(con, admin) -> None:
    known = [login(con, "admin", "sai", now=T0).message, login(con, "admin", "sai", now=T0 + 0.2).message]
    unknown = [
        login(con, "khong_co", "sai", now=T0).message,
        login(con, "khong_co", "sai", now=T0 + 0.2).message,
    ]
    assert known == unknown


def test_one_machine_trying_many_names_is_locked_out(con, admin) -> None:
    for i in range(POLICY.client_max_failures):
        login(con, f"ten{i}", "sai", now=T0 + i, client="10.9.9.9")
    assert login(con, now=T0 + 100, client="10.9.9.9").user is None
    assert login(con, now=T0 + 100, client="10.0.0.7").user == admin


def test_sessions_expire_after_inactivity_and_after_a_working_day(con, admin) -> None:
    token = login(con).token
    assert session_user(con, token, now=T0 + POLICY.idle_s - 5) == admin  # activity keeps it alive
    assert session_user(con, token, now=T0 + 2 * POLICY.idle_s - 10) == admin
    assert session_user(con, token, now=T0 + 3 * POLICY.idle_s) is None
    assert "session_expired" in actions(con)
    token = login(con, now=T0).token
    now = T0
    while now < T0 + POLICY.max_age_s - POLICY.idle_s:
        now += POLICY.idle_s / 2
        assert session_user(con, token, now=now) == admin
    assert session_user(con, token, now=T0 + POLICY.max_age_s + 1) is None


def test_disabling_ends_sessions_and_refuses_logins(con, admin) -> None:
    add_user(con, "lanh_dao", GOOD, "lanh_dao", is_demo=False, actor="admin")
    token = login(con, "lanh_dao").token
    set_disabled(con, "lanh_dao", True, actor="admin")
    assert session_user(con, token, now=T0 + 1) is None
    refused = login(con, "lanh_dao", now=T0 + 10)
    assert refused.user is None and "bị khoá" in (refused.message or "")
    set_disabled(con, "lanh_dao", False, actor="admin")
    assert login(con, "lanh_dao", now=T0 + 20).user is not None
    assert {"user_disabled", "user_enabled"} <= set(actions(con))


def test_reset_password_lifts_a_lockout_and_ends_sessions(con, admin) -> None:
    token = login(con).token
    for i in range(POLICY.max_failures):
        login(con, password="sai", now=T0 + 10 * (i + 1))
    reset_password(con, "admin", GOOD + "!", is_demo=False, actor="cli:root")
    assert session_user(con, token, now=T0 + 100) is None
    assert login(con, password=GOOD + "!", now=T0 + 101).user.username == "admin"


def test_change_password_needs_the_current_one(con, admin) -> None:
    with pytest.raises(AccountError, match="hiện tại"):
        change_password(con, "admin", "sai", GOOD + "2", is_demo=False)
    with pytest.raises(AccountError, match="minh họa"):
        change_password(con, "admin", GOOD, DEMO_PASSWORD, is_demo=False)
    change_password(con, "admin", GOOD, GOOD + "2", is_demo=False, client="10.0.0.5")
    assert login(con, password=GOOD + "2").user.username == "admin"
    outcomes = [(e["action"], e["outcome"]) for e in events(con, actions=("password_changed",))]
    assert outcomes == [("password_changed", "ok"), ("password_changed", "failed")]


def test_the_audit_log_cannot_be_edited_or_deleted(con, admin) -> None:
    record_event(con, "ingest", actor="cli:root", detail={"files": 3})
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("update audit set actor = 'ai do'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("delete from audit")
    assert len(events(con)) == 2
    with pytest.raises(ValueError):
        record_event(con, "xoa_het", actor="x")


def test_demo_accounts_have_the_demo_password_and_are_found(tmp_path: Path) -> None:
    store = store_path(tmp_path / "dashboard.duckdb")
    assert write_demo_accounts(store, ["BVM", "CDC"]) == 5
    with closing(connect(store)) as c:
        assert get_user(c, "bvm").scope == Scope("don_vi", "BVM")
        assert sorted(accounts_with_demo_password(c)) == ["ban_dan_van", "bvm", "cdc", "lanh_dao", "quan_tri"]
        assert authenticate(c, "cdc", DEMO_PASSWORD, client=None).user is not None


def test_scope_rules() -> None:
    assert Scope.province().sees_all_units
    unit = Scope("don_vi", "BVM")
    assert unit.allows_unit("BVM") and not unit.allows_unit("CDC") and not unit.allows_unit(None)
    assert not Scope("ban_dan_van").may_change
    with pytest.raises(ValueError):
        Scope("don_vi")
    with pytest.raises(ValueError):
        Scope("lanh_dao", "BVM")


def test_wait_grows_then_caps() -> None:
    assert [sessions.POLICY.wait_after(n) for n in range(6)] == [0, 1, 2, 4, 8, 8]

"""The login and logout pages (app/login.py), called as the server calls them, on a real accounts store."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from urllib.parse import urlencode

import pytest
from starlette.requests import Request
from starlette.responses import Response

from accounts.audit import events
from accounts.sessions import session_user
from accounts.store import connect, store_path
from accounts.users import add_user
from app.login import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    client_address,
    login_page,
    login_submit,
    logout,
    safe_next,
)

PASSWORD = "mat-khau-dai-du"


@pytest.fixture
def store(db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    with closing(connect(store_path(db))) as con:
        add_user(con, "lanh_dao", PASSWORD, "lanh_dao", is_demo=False, actor="test")
    return store_path(db)


def _call(endpoint, request: Request) -> Response:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, endpoint(request)).result()


def _request(
    method: str, path: str, *, query: str = "", cookies: dict | None = None, form: dict | None = None
):
    body = urlencode(form or {}).encode()
    headers = [(b"content-type", b"application/x-www-form-urlencoded")]
    if cookies:
        headers.append((b"cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()).encode()))

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {"type": "http", "method": method, "path": path, "query_string": query.encode(), "headers": headers,
             "client": ("10.1.2.3", 50000), "scheme": "http", "server": ("127.0.0.1", 8501)}  # fmt: skip
    return Request(scope, receive)


def _cookies(response: Response) -> dict[str, str]:
    """name -> the whole Set-Cookie header of each cookie the response sets."""
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("set-cookie")}


def _form_page(query: str = "") -> tuple[Response, str]:
    response = _call(login_page, _request("GET", "/dang-nhap", query=query))
    csrf = _cookies(response)[CSRF_COOKIE].split(";")[0].split("=", 1)[1]
    return response, csrf


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/xep-hang-cchc?nam=2020", "/xep-hang-cchc?nam=2020"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/dang-nhap?tiep=/", "/"),
        (None, "/"),
    ],
)
def test_after_login_only_a_page_of_this_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_the_proxy_address_is_trusted_only_from_this_machine() -> None:
    assert client_address("127.0.0.1", "203.0.113.9") == "203.0.113.9"
    assert client_address("127.0.0.1", "10.0.0.1, 203.0.113.9") == "203.0.113.9"
    assert client_address("198.51.100.7", "203.0.113.9") == "198.51.100.7"
    assert client_address("198.51.100.7", None) == "198.51.100.7"


def test_the_form_is_vietnamese_and_a_real_database_shows_no_demo_accounts(store: Path) -> None:
    response, csrf = _form_page("tiep=%2Fsu-hai-long")
    html = response.body.decode()
    assert (
        'lang="vi"' in html
        and "Tên đăng nhập" in html
        and "Mật khẩu" in html
        and ">Đăng nhập</button>" in html
    )
    assert 'name="tiep" value="/su-hai-long"' in html and csrf in html
    assert "Dữ liệu minh họa" not in html and "<code>demo</code>" not in html
    assert response.headers["x-frame-options"] == "DENY"
    assert "httponly" in _cookies(response)[CSRF_COOKIE].lower()


def test_login_sets_an_httponly_session_cookie_and_returns_to_the_page(store: Path) -> None:
    _, csrf = _form_page()
    form = {"csrf": csrf, "tiep": "/xep-hang-cchc?nam=2020", "username": "Lanh_Dao", "password": PASSWORD}
    response = _call(login_submit, _request("POST", "/dang-nhap", cookies={CSRF_COOKIE: csrf}, form=form))
    assert response.status_code == 303 and response.headers["location"] == "/xep-hang-cchc?nam=2020"
    cookie = _cookies(response)[SESSION_COOKIE]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    token = cookie.split(";")[0].split("=", 1)[1]
    with closing(connect(store)) as con:
        assert session_user(con, token).username == "lanh_dao"
        assert events(con, actions=("login",))[0]["client"] == "10.1.2.3"
    out = _call(logout, _request("GET", "/dang-xuat", cookies={SESSION_COOKIE: token}))
    assert out.status_code == 303 and "da_dang_xuat" in out.headers["location"]
    with closing(connect(store)) as con:
        assert session_user(con, token) is None
        assert events(con)[0]["action"] == "logout"


def test_a_wrong_password_or_a_forged_form_logs_nobody_in(store: Path) -> None:
    _, csrf = _form_page()
    wrong = {"csrf": csrf, "tiep": "/", "username": "lanh_dao", "password": "sai"}
    response = _call(login_submit, _request("POST", "/dang-nhap", cookies={CSRF_COOKIE: csrf}, form=wrong))
    assert response.status_code == 401 and SESSION_COOKIE not in _cookies(response)
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.body.decode()
    forged = {"csrf": "khac", "tiep": "/", "username": "lanh_dao", "password": PASSWORD}
    response = _call(login_submit, _request("POST", "/dang-nhap", cookies={CSRF_COOKIE: csrf}, form=forged))
    assert response.status_code == 400 and SESSION_COOKIE not in _cookies(response)


def test_typed_text_is_escaped_on_the_page(store: Path) -> None:
    _, csrf = _form_page()
    form = {"csrf": csrf, "tiep": "/", "username": '"><script>alert(1)</script>', "password": "x"}
    html = _call(
        login_submit, _request("POST", "/dang-nhap", cookies={CSRF_COOKIE: csrf}, form=form)
    ).body.decode()
    assert "<script>" not in html and "&lt;script&gt;" in html

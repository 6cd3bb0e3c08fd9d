"""The login and logout pages, served by the dashboard's server beside Streamlit.

A plain HTML form (no Streamlit) at /dang-nhap: the password travels once, in a POST,
and the browser then holds only a random session token in an HttpOnly, SameSite=Strict
cookie, which the dashboard reads on every run (app/auth.py). Because every page link
is answered by app/server.py, a visitor without a live session is sent here before the
dashboard's code even loads, and comes back to the page and filters they asked for.

Everything dynamic in the HTML is escaped; the form carries a CSRF token tied to a
cookie of its own (double submit), so no other site can log a visitor in or out.
"""

from __future__ import annotations

import secrets
from contextlib import closing
from html import escape
from ipaddress import ip_address
from urllib.parse import parse_qs, quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from accounts.passwords import DEMO_PASSWORD
from accounts.sessions import authenticate, end_session, session_user
from accounts.store import connect, store_path
from app.navigation import APP_TITLE
from etl.db import db_path, published_facts

SESSION_COOKIE = "dv_phien"
CSRF_COOKIE = "dv_csrf"
LOGIN_PATH, LOGOUT_PATH = "/dang-nhap", "/dang-xuat"
MAX_FORM_BYTES = 8192
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'",
    "Referrer-Policy": "same-origin",
}
DEMO_ACCOUNTS = (
    ("lanh_dao", "Lãnh đạo Sở: xem mọi trang"),
    ("ban_dan_van", "Ban Dân vận Tỉnh ủy: xem mọi trang, không thay đổi gì"),
    ("quan_tri", "Quản trị: tài khoản, nhật ký, mọi trang"),
)


def client_address(peer: str | None, forwarded_for: str | None) -> str | None:
    """The visitor's address: the peer, or behind a local reverse proxy the address it reports.

    X-Forwarded-For is trusted only from a proxy on this machine (the peer is a loopback
    address); its last entry is the one our proxy added.
    """
    if forwarded_for and peer:
        try:
            local = ip_address(peer).is_loopback
        except ValueError:
            local = False
        if local:
            return forwarded_for.split(",")[-1].strip() or peer
    return peer


def request_client(request: Request) -> str | None:
    return client_address(
        request.client.host if request.client else None, request.headers.get("x-forwarded-for")
    )


def safe_next(target: str | None) -> str:
    """A path on this site to return to after login; anything else (another site) becomes '/'."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if target.startswith((LOGIN_PATH, LOGOUT_PATH)):
        return "/"
    return target


def login_redirect(request: Request) -> RedirectResponse:
    """Send a visitor without a session to the login page, remembering where they were going."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{LOGIN_PATH}?tiep={quote(here, safe='')}", status_code=303)


def user_of_request(request: Request):
    """The logged-in user of this request's session cookie, or None (runs the store lookup)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with closing(connect(store_path(db_path()))) as con:
        return session_user(con, token)


def _is_https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def _page(body: str, status: int = 200) -> HTMLResponse:
    html = f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đăng nhập · {escape(APP_TITLE)}</title>
<style>
body {{ font-family: "Source Sans Pro", "Segoe UI", Arial, sans-serif; background: #f4f6f9; color: #1f2a37;
       margin: 0; display: flex; justify-content: center; }}
main {{ background: #fff; margin: 6vh 16px; padding: 28px 32px; max-width: 420px; width: 100%;
       border-radius: 10px; box-shadow: 0 1px 4px rgba(0,0,0,.12); }}
h1 {{ font-size: 1.35rem; margin: 0 0 4px; }} p.sub {{ margin: 0 0 20px; color: #52606d; }}
label {{ display: block; font-weight: 600; margin: 14px 0 6px; }}
input[type=text], input[type=password] {{ width: 100%; box-sizing: border-box; padding: 10px;
       font-size: 1rem; border: 1px solid #b8c2cc; border-radius: 6px; }}
button {{ margin-top: 20px; width: 100%; padding: 11px; font-size: 1rem; font-weight: 600; color: #fff;
       background: #0072B2; border: 0; border-radius: 6px; cursor: pointer; }}
.error {{ background: #fdecea; color: #8a1c1c; padding: 10px 12px; border-radius: 6px; margin-bottom: 8px; }}
.notice {{ background: #e8f4fb; padding: 10px 12px; border-radius: 6px; margin-bottom: 8px; }}
.demo {{ margin-top: 24px; font-size: .92rem; background: #fff8e1; padding: 12px 14px; border-radius: 6px; }}
.demo table {{ border-collapse: collapse; margin: 6px 0; }} .demo td {{ padding: 2px 8px 2px 0; }}
code {{ background: #f1f3f5; padding: 1px 4px; border-radius: 3px; }}
</style></head>
<body><main>{body}</main></body></html>"""
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


def _form(
    *, csrf: str, next_path: str, username: str = "", error: str | None = None, notice: str | None = None
) -> str:
    meta, _ = published_facts(db_path())
    province = meta.get("province_name") or "Ngành Y tế"
    parts = [f"<h1>{escape(APP_TITLE)}</h1>", f'<p class="sub">{escape(province)}</p>']
    if notice:
        parts.append(f'<div class="notice" role="status">{escape(notice)}</div>')
    if error:
        parts.append(f'<div class="error" role="alert">{escape(error)}</div>')
    parts.append(f"""<form method="post" action="{LOGIN_PATH}">
<input type="hidden" name="csrf" value="{escape(csrf)}">
<input type="hidden" name="tiep" value="{escape(next_path)}">
<label for="username">Tên đăng nhập</label>
<input type="text" id="username" name="username" value="{escape(username)}" autocomplete="username"
 autocapitalize="none" spellcheck="false" required autofocus>
<label for="password">Mật khẩu</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Đăng nhập</button>
</form>""")
    if meta.get("is_demo") == "1":
        rows = "".join(
            f"<tr><td><code>{escape(u)}</code></td><td>{escape(t)}</td></tr>" for u, t in DEMO_ACCOUNTS
        )
        parts.append(
            f'<div class="demo"><b>Dữ liệu minh họa.</b> Các tài khoản dùng thử, cùng mật khẩu '
            f"<code>{DEMO_PASSWORD}</code>:<table>{rows}</table>Mỗi đơn vị có một tài khoản, tên đăng nhập là mã "
            "đơn vị viết thường (ví dụ <code>bvdkt</code> cho Bệnh viện Đa khoa tỉnh, <code>ttytkv_hoathuan</code> "
            "cho Trung tâm Y tế khu vực Hòa Thuận): xem các trang chung và báo cáo của riêng đơn vị mình.</div>"
        )
    return "".join(parts)


def _with_csrf(response: Response, csrf: str, request: Request) -> Response:
    response.set_cookie(
        CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=_is_https(request), path="/"
    )
    return response


async def login_page(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("tiep"))
    if await run_in_threadpool(user_of_request, request) is not None:
        return RedirectResponse(next_path, status_code=303)
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    notice = "Bạn đã đăng xuất." if request.query_params.get("da_dang_xuat") else None
    response = _page(await run_in_threadpool(lambda: _form(csrf=csrf, next_path=next_path, notice=notice)))
    response.delete_cookie(SESSION_COOKIE, path="/")  # a stale token, if any, goes
    return _with_csrf(response, csrf, request)


def _check_login(username: str, password: str, client: str | None):
    with closing(connect(store_path(db_path()))) as con:
        return authenticate(con, username, password, client=client)


async def login_submit(request: Request) -> Response:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return _page("<p>Yêu cầu quá lớn.</p>", status=413)
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    next_path = safe_next(form.get("tiep"))
    csrf = request.cookies.get(CSRF_COOKIE)
    username = form.get("username", "")[:64]
    if not csrf or not secrets.compare_digest(csrf, form.get("csrf", "")):
        fresh = secrets.token_urlsafe(24)
        error = "Phiên của trang đăng nhập đã cũ. Vui lòng nhập lại tên đăng nhập và mật khẩu."
        html = await run_in_threadpool(
            lambda: _form(csrf=fresh, next_path=next_path, username=username, error=error)
        )
        return _with_csrf(_page(html, status=400), fresh, request)
    result = await run_in_threadpool(
        _check_login, username, form.get("password", ""), request_client(request)
    )
    if result.user is None:
        html = await run_in_threadpool(
            lambda: _form(csrf=csrf, next_path=next_path, username=username, error=result.message)
        )
        return _page(html, status=401)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.token or "",
        httponly=True,
        samesite="strict",
        secure=_is_https(request),
        path="/",
    )
    return response


def _end(token: str | None, client: str | None) -> None:
    with closing(connect(store_path(db_path()))) as con:
        end_session(con, token, client=client)


async def logout(request: Request) -> Response:
    """End the session (if any), drop the cookie and show the login page with a notice."""
    await run_in_threadpool(_end, request.cookies.get(SESSION_COOKIE), request_client(request))
    response = RedirectResponse(f"{LOGIN_PATH}?da_dang_xuat=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def login_routes() -> list[Route]:
    return [
        Route(LOGIN_PATH, login_page, methods=["GET"]),
        Route(LOGIN_PATH, login_submit, methods=["POST"]),
        Route(LOGOUT_PATH, logout, methods=["GET"]),
    ]

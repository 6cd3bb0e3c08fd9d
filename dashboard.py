"""The dashboard's frame: page config, login, the demo notice, the shared sidebar, navigation.

Run with `python -m app.server` (scripts/run.sh does). The page list is app/navigation.py;
pages live in pages/ and only wire the filters chosen here to queries and charts. Every
run starts by checking the visitor's login (app/auth.py): nothing below it runs without one.
"""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from accounts.users import User
from app import auth, queries, tables
from app.data import SnapshotUnavailable, is_demo, snapshot_path
from app.filters import FILTERS_KEY, draw_sidebar
from app.navigation import APP_TITLE, DEFAULT_URL, PAGES, WITHOUT_FILTERS, allowed
from app.run_gate import page_run


def _denied(title: str, url: str):
    """A page the user's role may not open: a plain refusal in place of the page (audited)."""

    def page() -> None:
        auth.note_denied(auth.current_user(), title)
        st.error(
            f"Tài khoản của bạn không có quyền mở trang «{title}». Nếu cần, hãy liên hệ quản trị của Sở.",
            icon=":material/block:",
        )

    page.__name__ = f"denied_{url.replace('-', '_')}"
    return page


def _navigation(user: User) -> StreamlitPage:
    sections = {
        section: [
            st.Page(path, title=title, icon=icon, url_path=url, default=(url == DEFAULT_URL))
            if allowed(url, user.role)
            else st.Page(_denied(title, url), title=title, icon=icon, url_path=url, visibility="hidden")
            for path, title, icon, url in entries
        ]
        for section, entries in PAGES.items()
    }
    # a section with nothing the role may open leaves the sidebar, but its refusal pages stay
    # registered (in the last section shown), so their links answer with the refusal
    shown = {s: pages for s, pages in sections.items() if any(_visible(p) for p in pages)}
    hidden = [p for s, pages in sections.items() if s not in shown for p in pages]
    last = list(shown)[-1]
    shown[last] = [*shown[last], *hidden]
    # expanded: every page listed (collapsed, Streamlit adds an English "View N more")
    return st.navigation(shown, expanded=True)


def _visible(page: StreamlitPage) -> bool:
    return getattr(page, "_visibility", "visible") != "hidden"


def _open_snapshot() -> str:
    try:
        return str(snapshot_path())
    except SnapshotUnavailable:
        st.warning(
            "Cơ sở dữ liệu đang được cập nhật (một lượt nạp báo cáo đang chạy), chưa mở được bản đọc. "
            "Vui lòng chờ ít phút rồi bấm **Thử lại**.",
            icon=":material/hourglass_top:",
        )
        st.button("Thử lại", icon=":material/refresh:")
        st.stop()


def main() -> None:
    st.set_page_config(
        page_title=APP_TITLE,
        layout="wide",
    )
    user = auth.require_user()
    with page_run():
        _run_page(user)


def _run_page(user: User) -> None:
    snapshot = _open_snapshot()
    pg = _navigation(user)
    meta = queries.meta(snapshot)
    with st.sidebar:
        st.markdown(f"### Công tác dân vận\n{meta.get('province_name') or 'Ngành Y tế'}")
        auth.draw_account_box(user, tables.short_name_of(queries.units(snapshot), user.unit_code))
    auth.note_page_view(user, pg.title)
    if is_demo(snapshot):
        st.info(
            "**Dữ liệu minh họa**: các đơn vị và số liệu là giả định, chỉ để xem thử bảng điều khiển. "
            "Nạp báo cáo thật của các đơn vị để thay thế.",
            icon=":material/science:",
        )
    if pg.url_path not in WITHOUT_FILTERS:
        years = queries.years(snapshot)
        if not years:
            st.info(
                "Cơ sở dữ liệu chưa có báo cáo nào được tiếp nhận. Hãy nạp báo cáo của các đơn vị "
                "bằng lệnh `python -m etl ingest THƯ_MỤC` rồi tải lại trang.",
                icon=":material/info:",
            )
            st.stop()
        areas = sorted(a for a in queries.units(snapshot)["area"].unique().to_list() if a)
        st.session_state[FILTERS_KEY] = draw_sidebar(snapshot, years, areas)
    pg.run()


# streamlit (and AppTest) run this file as __main__
if __name__ == "__main__":
    main()

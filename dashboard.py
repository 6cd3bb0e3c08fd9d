"""The dashboard's frame: page config, first-run demo, the demo notice, the shared sidebar, navigation.

Run with `python -m app.server` (scripts/run.sh does). The page list is app/navigation.py;
pages live in pages/ and only wire the filters chosen here to queries and charts.
"""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from app import queries
from app.data import SnapshotUnavailable, is_demo, snapshot_path
from app.filters import FILTERS_KEY, draw_sidebar
from app.navigation import APP_TITLE, DEFAULT_URL, PAGES


def _navigation() -> StreamlitPage:
    sections = {
        section: [
            st.Page(path, title=title, icon=icon, url_path=url, default=(url == DEFAULT_URL))
            for path, title, icon, url in entries
        ]
        for section, entries in PAGES.items()
    }
    return st.navigation(sections)


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
    snapshot = _open_snapshot()
    pg = _navigation()
    years = queries.years(snapshot)
    meta = queries.meta(snapshot)
    with st.sidebar:
        st.markdown(f"### Công tác dân vận\n{meta.get('province_name') or 'Ngành Y tế'}")
    if not years:
        st.info(
            "Cơ sở dữ liệu chưa có báo cáo nào được tiếp nhận. Hãy nạp báo cáo của các đơn vị "
            "bằng lệnh `python -m etl ingest THƯ_MỤC` rồi tải lại trang.",
            icon=":material/info:",
        )
        st.stop()
    areas = sorted(a for a in queries.units(snapshot)["area"].unique().to_list() if a)
    st.session_state[FILTERS_KEY] = draw_sidebar(snapshot, years, areas)
    if is_demo(snapshot):
        st.info(
            "**Dữ liệu minh họa**: các đơn vị và số liệu là giả định, chỉ để xem thử bảng điều khiển. "
            "Nạp báo cáo thật của các đơn vị để thay thế.",
            icon=":material/science:",
        )
    pg.run()


# streamlit (and AppTest) run this file as __main__
if __name__ == "__main__":
    main()

"""The floor page in the dashboard's shell: the same tiny chart as bench/hello_page.py, inside
st.navigation with the dashboard's page list (every page draws that chart), and no login.

bench/pages.py times it beside the floor, to tell what the multipage shell every dashboard page
needs costs apart from what the pages themselves draw.
Run it with `streamlit run bench/hello_shell.py` from the repository (PYTHONPATH=. for `app`).
"""

from __future__ import annotations

import streamlit as st

from app.navigation import DEFAULT_URL, PAGES
from bench.hello_page import draw_chart


def _page(url: str):
    def page() -> None:
        draw_chart()

    page.__name__ = f"hello_{url.replace('-', '_')}"  # Streamlit tells pages apart by name
    return page


def main() -> None:
    st.set_page_config(page_title="hello", layout="wide")
    sections = {
        section: [
            st.Page(_page(url), title=title, icon=icon, url_path=url, default=(url == DEFAULT_URL))
            for _path, title, icon, url in entries
        ]
        for section, entries in PAGES.items()
    }
    st.navigation(sections, expanded=True).run()


if __name__ == "__main__":
    main()

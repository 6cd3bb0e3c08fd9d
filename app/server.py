"""Start the dashboard's Streamlit server: `python -m app.server [streamlit run options]`.

The same as `streamlit run dashboard.py`, except for one thing. Streamlit takes a `pages/`
folder beside the main script for a legacy (v1) multipage app until the script's first run
calls `st.navigation`, so the first visitor after a server start who opens a link to a page
(/xep-hang-cchc) gets an English "Page not found" pop-up over the right page
(streamlit/streamlit#9992). dashboard.py always navigates with `st.navigation`; saying so
before the server starts spares that visitor the pop-up. tests/test_browser.py checks it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


def main(options: list[str]) -> None:
    """Run dashboard.py with `options` (e.g. --server.port 8502) until the server stops."""
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(DASHBOARD), *options]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])

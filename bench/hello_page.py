"""The floor page of bench/pages.py: Streamlit with one tiny Plotly chart and nothing else.

The time from navigation to this chart drawn is what Streamlit plus Chromium cost on this
machine before any of our code runs; the dashboard pages are measured against it.
Run it with `streamlit run bench/hello_page.py` (bench/pages.py does).
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st


def draw_chart() -> None:
    figure = go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2]))
    figure.update_layout(title="hello", height=300)
    st.plotly_chart(figure)


def main() -> None:
    st.set_page_config(page_title="hello", layout="wide")  # same layout as the dashboard
    draw_chart()


if __name__ == "__main__":  # Streamlit runs scripts as __main__
    main()

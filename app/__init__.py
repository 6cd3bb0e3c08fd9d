"""The Streamlit dashboard: snapshot access, queries, metrics, formatting, charts and filters."""

from app.allocator import set_polars_allocator_env

# here, because every way into the server imports this package before anything loads Polars
set_polars_allocator_env()

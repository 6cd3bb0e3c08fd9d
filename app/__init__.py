"""The Streamlit dashboard: snapshot access, queries, metrics, formatting, charts and filters."""

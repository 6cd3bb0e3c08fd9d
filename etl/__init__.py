"""ETL for the công tác dân vận dashboard: reads unit submissions and writes the DuckDB database."""

.PHONY: run test lint bench demo

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

bench:
	.venv/bin/python -m bench.ingest
	.venv/bin/python -m bench.history
	.venv/bin/python -m bench.pages

demo:
	.venv/bin/python -m etl demo

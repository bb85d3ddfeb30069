# The two commands: `make run` (set up, index data/, serve) and `make test` (set up, run every check).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed

.PHONY: run test install ingest serve serve-prod frontend lint typecheck pytest bench-ingest clean

## run: install, build the frontend if there is one, index data/, serve on http://localhost:$PORT
run: install frontend ingest serve

## test: install, then lint, type-check and run the test suite with coverage
test: install lint typecheck pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

frontend:
	@if [ -f frontend/package.json ]; then $(MAKE) --no-print-directory app/static/index.html; fi

app/static/index.html: $(shell find frontend -type f -not -path '*/node_modules/*' 2>/dev/null)
	cd frontend && npm ci --no-audit --no-fund && npm run build

ingest: install
	$(BIN)/python -m app.ingest data

serve: install
	$(BIN)/python -m app --host $(HOST)

## serve-prod: serve as the container does, with Gunicorn and Uvicorn workers (PORT, default 8000)
serve-prod: install frontend ingest
	$(BIN)/gunicorn -c gunicorn.conf.py "app:create_app()"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest --cov --cov-report=term

## bench-ingest: ingestion throughput on a generated corpus (1,000 PDF + 500 HTML pages)
bench-ingest: install
	$(BIN)/python -m bench.ingest

clean:
	rm -rf $(VENV) .data .mypy_cache .ruff_cache .coverage

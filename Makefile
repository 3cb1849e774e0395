# The two commands of the quick start: `make run` and `make test`; and `make bench`.
# Each creates .venv when missing and installs the project into it first.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint unit install clean e2e chromium bench histories

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/ovop dev

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

# The browser check of the Web UI; `make test` runs it too when Chromium is installed.
# Screenshots land in var/screenshots/ (docs/ keeps the ones the README shows).
e2e: chromium $(STAMP)
	OVOP_SCREENSHOTS=var/screenshots $(BIN)/pytest -q tests/e2e

# Debian's Chromium: the tests drive it; nothing downloads a browser build of its own.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell test "$$(id -u)" -eq 0 || echo sudo)
chromium:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium; }

# The benchmark against bare Temporal (bench/README.md); flags through BENCH_ARGS, e.g.
# make bench BENCH_ARGS="--nominations 5000 --growth 100,1000,5000,10000"
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# Re-record the kept histories of the replay test (tests/replay/scenarios.py says when).
histories: $(STAMP)
	$(BIN)/python -m tests.replay.scenarios

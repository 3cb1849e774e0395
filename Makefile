# The two commands of the quick start: `make run` and `make test`; and `make bench`.
# Each creates .venv when missing and installs the project into it first.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# uv installs exactly what uv.lock pins (`make lock` refreshes it). It is fetched once into
# .venv by pip, from PyPI, without this machine's pip configuration: uv reads none of it
# either, so both steps see the same index. uv never downloads a Python of its own here.
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test test-shared test-alone test-light lint unit install clean e2e chromium bench histories lock

$(BIN)/uv:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	PIP_CONFIG_FILE=/dev/null $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set (as on this machine), nothing
# imported is ever cached, and every process the tests start (workers, `ovop`, the API)
# compiled every library from source again: half the suite's CPU time.
$(STAMP): pyproject.toml uv.lock | $(BIN)/uv
	$(BIN)/uv sync --frozen --inexact --extra dev --python $(BIN)/python --quiet --compile-bytecode
	@touch $(STAMP)

# Resolve pyproject.toml's ranges again and write the new pins to uv.lock; commit it with
# what changed (the calendar tests say whether a new `holidays` still knows the SKB lists).
lock: | $(BIN)/uv
	$(BIN)/uv lock --upgrade

install: $(STAMP)

# The project's own bytecode (the libraries' is compiled at install, the image compiles
# all of it): where PYTHONDONTWRITEBYTECODE is set, Python reads it but never writes it,
# and the workflow sandbox imports the workflow modules again for every workflow run.
BYTECODE = $(BIN)/python -m compileall -q -j 0 -x '/\.venv/' .

run: $(STAMP)
	$(BYTECODE)
	$(BIN)/ovop dev

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Three processes on two cores: the integration tests mostly wait on servers and timeouts,
# and beside them the lint, the unit tests and the kept histories' replays (on the
# time-skipping server alone) take the CPU they leave idle. Then, on their own, the tests
# marked `alone` (the SIGKILL fault test: its 100 nominations and 8 killed workers are
# timed against a bound that holds on a machine running nothing else).
TEST_PROCESSES ?= 3
LIGHT := tests/unit tests/replay/test_replay.py
test: $(STAMP)
	$(BYTECODE)
	$(MAKE) --no-print-directory -j 3 test-shared test-light lint
	$(MAKE) --no-print-directory test-alone

test-shared: $(STAMP)
	$(BIN)/pytest -q -n $(TEST_PROCESSES) --dist worksteal -m "not alone" $(addprefix --ignore=,$(LIGHT))

test-alone: $(STAMP)
	$(BIN)/pytest -q -m alone $(addprefix --ignore=,$(LIGHT))

test-light: $(STAMP)
	$(BIN)/pytest -q -m "not alone" $(LIGHT)

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
	$(BYTECODE)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# Re-record the kept histories of the replay test (tests/replay/scenarios.py says when).
histories: $(STAMP)
	$(BIN)/python -m tests.replay.scenarios

# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint typecheck unit benchmarks presidio-venv evidently-venv clean

# Installs are redone when pyproject.toml or setup.py changes, or a module setup.py
# compiles with mypyc: the compiled modules sit beside their sources (an editable
# install), so an edited source must be compiled again to take effect. Each install
# builds the package once (the compile takes about a minute); the test install brings
# the run install's packages too.
COMPILED := setup.py $(wildcard src/bastion/pii/*.py)

define install
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Bastion needs Python 3.11 or newer; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "Installing into $(VENV); compiling the PII text scanner takes about a minute"
	$(BIN)/python -m pip install --quiet -e $(1)
endef

$(VENV)/.run-installed: pyproject.toml $(COMPILED)
	$(call install,.)
	touch $@

$(VENV)/.test-installed: pyproject.toml $(COMPILED)
	$(call install,'.[test]')
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/bastion serve

lint: $(VENV)/.test-installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

# Two workers: the suite is sized for the 2-core CI machines (about 25 minutes in one
# process there, under 15 in two).
unit: $(VENV)/.test-installed
	$(BIN)/pytest -n 2

test: lint typecheck unit

# Presidio, which the PII benchmark compares against, in its own virtualenv (its pins
# clash with ours); created once, reused after.
presidio-venv: $(VENV)/.test-installed
	$(BIN)/python -m benchmarks.bench_pii --make-venv

# Evidently, which the drift benchmark compares against, likewise (it needs pandas < 3).
evidently-venv: $(VENV)/.test-installed
	$(BIN)/python -m benchmarks.bench_drift --make-venv

# The full benchmark runs (minutes); `make test` runs a small smoke run of each.
benchmarks: $(VENV)/.test-installed presidio-venv evidently-venv
	$(BIN)/pytest -m slow tests/benchmarks -s

clean:
	rm -rf $(VENV) benchmarks/.venvs .mypy_cache .ruff_cache .pytest_cache build
	find src -name '*.so' -delete

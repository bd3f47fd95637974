# Råderum: one entry point for humans and CI.
#   make run        set up and run the main job on the embedded data
#   make test       set up and run the whole test suite (installs Chromium first when root; see scripts/ensure-chromium)
#   make test-fast  the unit tests without the browser, PostgreSQL and slow tests, on every core
#   make setup      only install, from the lock file (idempotent; starts nothing)
#   make lint       ruff, mypy and the import contract (layers, no cycles; [tool.importlinter] in pyproject.toml)
#   make lock       regenerate requirements.lock from pyproject.toml (pip-tools); `make check-lock` checks it

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
KOMMUNE ?= Aarhus
LOCK := requirements.lock
PIP := $(PY) -m pip --disable-pip-version-check
# `make lock PIP_COMPILE_FLAGS=--upgrade` moves every pin to the newest allowed version.
PIP_COMPILE_FLAGS ?=

.PHONY: setup run test test-fast lint imports lock check-lock release bench clean docs

setup: $(VENV)/.installed

# Everything pinned comes from the lock; the package itself is installed editable without resolving anything.
$(VENV)/.installed: pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r $(LOCK)
	$(PIP) install -q --no-deps -e .
	touch $@

lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -c "import piptools" 2>/dev/null || $(PIP) install -q pip-tools
	$(PY) -m piptools compile --quiet --extra test --strip-extras --no-emit-index-url --no-emit-find-links \
	  --annotation-style=line $(PIP_COMPILE_FLAGS) -o $(LOCK) pyproject.toml
	$(PY) scripts/check_lock.py

check-lock: setup
	$(PY) scripts/check_lock.py

HOST ?= 127.0.0.1
PORT ?= 8000

run: setup
	$(VENV)/bin/raaderum noegletal "$(KOMMUNE)"
	$(VENV)/bin/raaderum serve --host $(HOST) --port $(PORT)

test: setup
	bash scripts/ensure-chromium
	$(PY) -m pytest

# No browser (e2e), no PostgreSQL (postgres) and none of the few slow tests, on every core (one module per worker,
# so a module's shared fixtures are made once).
test-fast: setup
	$(PY) -m pytest -q -p no:cacheprovider -m "not e2e and not postgres and not slow" -n auto --dist loadfile

lint: setup
	$(VENV)/bin/ruff check raaderum tests bench scripts
	$(VENV)/bin/mypy raaderum
	$(VENV)/bin/lint-imports --no-cache --no-logo

# The import contract alone (what .ci/run checks before the tests).
imports: setup
	$(VENV)/bin/lint-imports --no-cache --no-logo

release: setup
	$(VENV)/bin/raaderum data build

bench: setup
	for f in bench/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .import_linter_cache test-artefacts

docs: setup
	$(PY) -m raaderum.cli.reference docs/CLI.md

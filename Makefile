# Råderum: one entry point for humans and CI.
#   make run    set up and run the main job on the embedded data
#   make test   set up and run the whole test suite
#   make setup  only install (idempotent; starts nothing)

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
KOMMUNE ?= Aarhus

.PHONY: setup run test lint release bench clean docs

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

HOST ?= 127.0.0.1
PORT ?= 8000

run: setup
	$(VENV)/bin/raaderum noegletal "$(KOMMUNE)"
	$(VENV)/bin/raaderum serve --host $(HOST) --port $(PORT)

test: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check raaderum tests bench
	$(VENV)/bin/mypy raaderum

release: setup
	$(VENV)/bin/raaderum data build

bench: setup
	for f in bench/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache test-artefacts

docs: setup
	$(PY) -m raaderum.cli.reference docs/CLI.md

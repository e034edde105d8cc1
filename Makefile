# peercoach — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV     := .venv
VPY      := $(VENV)/bin/python
STAMP    := $(VENV)/.installed
# The first interpreter found that is Python 3.12 or newer (override with PYTHON=...).
PYTHON   ?= $(shell for p in python3.12 python3.13 python3.14 python3 python; do \
              if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
              then command -v $$p; break; fi; done)

.PHONY: help demo test lint typecheck bench serve clean

help:
	@echo "make demo   - create .venv, install, and chat with the coach in this terminal"
	@echo "make test   - create .venv, install, run lint, type checks and the whole test suite"
	@echo "make bench  - run the benchmarks in bench/ and write bench/RESULTS.md"

$(VPY):
	@if [ -z "$(PYTHON)" ]; then \
	  echo "peercoach needs Python 3.12 or newer, and none was found on PATH."; \
	  echo "Install one (e.g. 'pyenv install 3.12' or your package manager's python3.12)"; \
	  echo "or point at it: make demo PYTHON=/path/to/python3.12"; exit 1; fi
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(VPY)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/peercoach console

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

test: lint typecheck
	$(VENV)/bin/pytest -q

bench: $(STAMP)
	$(VPY) -m bench

serve: $(STAMP)
	$(VENV)/bin/peercoach serve

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

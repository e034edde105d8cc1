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

.PHONY: help demo test lint typecheck bench serve clean services

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

test: lint typecheck services
	$(VENV)/bin/pytest -q

# The real services the tests start for themselves (PostgreSQL, and Chromium for the
# dashboard's browser tests). As root with apt-get they are installed here; otherwise the
# line says what to install, and under CI=true the run fails.
services:
	@if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's PostgreSQL server for the tests (apt-get install postgresql)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else \
	    echo "PostgreSQL is not installed: its tests will not run. Install Debian's postgresql package (sudo apt-get install postgresql)."; \
	    if [ "$$CI" = true ]; then exit 1; fi; \
	  fi; \
	fi
	@if [ -z "$$PEERCOACH_CHROMIUM" ] && [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's Chromium for the dashboard's browser tests (apt-get install chromium)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is not installed: the dashboard's browser tests will not run. Install Debian's chromium package (sudo apt-get install chromium), or set PEERCOACH_CHROMIUM to a Chromium."; \
	    if [ "$$CI" = true ]; then exit 1; fi; \
	  fi; \
	fi

bench: $(STAMP)
	$(VPY) -m bench

serve: $(STAMP)
	$(VENV)/bin/peercoach serve

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

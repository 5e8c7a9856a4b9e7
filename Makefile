# hoctap: `make run` installs and starts the demo; `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck pytest messages clean screenshots guide

install: $(STAMP) messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Compiled catalogues are build output: made from locale/*/django.po, never committed.
messages: $(STAMP)
	$(BIN)/hoctap compilemessages --ignore=.venv --ignore=var -v 0

run: install
	$(BIN)/hoctap demo
	$(BIN)/hoctap serve --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy src tests bench tools

pytest: install
	$(BIN)/hoctap makemigrations --check --dry-run
	$(BIN)/pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

test: lint typecheck pytest

# PNGs of the main pages (desktop and phone) for docs/screenshots/; needs Debian's chromium.
screenshots: install
	$(BIN)/python tools/screenshots.py

# The printed user guide (docs/guide/vi and the screenshots), as the app serves /guide/huong-dan.pdf.
guide: install
	$(BIN)/hoctap guide-pdf -o var/huong-dan.pdf

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .coverage

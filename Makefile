# The two commands a newcomer needs: `make run` and `make test`. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app

.PHONY: run test lint format clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt constraints.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

## run: migrate, seed the demo, start web + scheduler + worker on SQLite with console channels
run: $(VENV)/.installed
	APP_ENV=$${APP_ENV:-development} VENV=$(VENV) bash scripts/run-dev.sh

## test: lint, then the whole suite on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set
test: $(VENV)/.installed-dev lint
	env -u TEST_DATABASE_URL $(PY) -m pytest
	if [ -n "$${TEST_DATABASE_URL:-}" ]; then $(PY) -m pytest; fi

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts

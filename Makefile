# The two commands a newcomer needs: `make run` and `make test`. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app

CATALOGUES := $(wildcard web/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

.PHONY: run test lint format clean translations

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt constraints.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

# Compiled translations are build output: made from the committed .po files, never committed.
%.mo: %.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile -i $< -o $@ >/dev/null

## translations: re-extract messages and rewrite the Hindi and Bengali catalogues (scripts/write_translations.py)
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -o web/translations/messages.pot --no-location --omit-header --ignore-dirs=".venv tests bench" .
	$(PY) scripts/write_translations.py
	$(MAKE) $(COMPILED)

## run: migrate, seed the demo, start web + scheduler + worker on SQLite with console channels
run: $(VENV)/.installed $(COMPILED)
	APP_ENV=$${APP_ENV:-development} VENV=$(VENV) bash scripts/run-dev.sh

## test: lint, then the whole suite on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set
test: $(VENV)/.installed-dev $(COMPILED) lint
	env -u TEST_DATABASE_URL $(PY) -m pytest
	if [ -n "$${TEST_DATABASE_URL:-}" ]; then $(PY) -m pytest; fi

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts

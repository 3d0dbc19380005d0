# The two commands a newcomer needs: `make run` and `make test`. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app

CATALOGUES := $(wildcard web/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

# The night-time run: every Python process's wall clock set to 23:30 IST on Sunday 15 August 2027, Independence
# Day — outside contact hours, on a Sunday and a public holiday — for the packages whose behaviour depends on time
# (tests/wall_clock/sitecustomize.py). The suite pins its own instant (tests/conftest.py), so both runs pass alike.
NIGHT := 2027-08-15T23:30:00+05:30
TIME_DEPENDENT := tests/channels tests/scheduler tests/bot tests/webhooks tests/web

.PHONY: run test test-night lint format clean translations

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

## test: lint, the whole suite on SQLite, again on PostgreSQL when TEST_DATABASE_URL is set, then the night-time run
test: $(VENV)/.installed-dev $(COMPILED) lint
	env -u TEST_DATABASE_URL $(PY) -m pytest
	if [ -n "$${TEST_DATABASE_URL:-}" ]; then $(PY) -m pytest; fi
	$(MAKE) --no-print-directory test-night

## test-night: the time-dependent packages with the wall clock at 23:30 IST on a Sunday that is a public holiday
test-night: $(VENV)/.installed-dev $(COMPILED)
	env -u TEST_DATABASE_URL WALL_CLOCK=$(NIGHT) PYTHONPATH=tests/wall_clock $(PY) -m pytest -p no:cacheprovider \
	  -W "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning" $(TIME_DEPENDENT)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts

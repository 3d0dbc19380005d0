# The two commands a newcomer needs: `make run` and `make test`. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LOCK = $(UV) pip compile pyproject.toml --universal --generate-hashes --custom-compile-command "make lock" -q
FLASK := $(VENV)/bin/flask --app app

CATALOGUES := $(wildcard web/translations/*/LC_MESSAGES/*.po)
COMPILED := $(CATALOGUES:.po=.mo)
TRANSLATIONS := web/translations
EXTRACT = $(VENV)/bin/pybabel extract --no-location --omit-header --no-wrap
# Bot replies and message templates mark their English texts with catalogues.marked / marked_in (see catalogues.py).
MARKED := --no-default-keywords -k marked -k marked_in:1c,2 --add-comments=TRANSLATORS:

# The night-time run: every Python process's wall clock set to 23:30 IST on Sunday 15 August 2027, Independence
# Day — outside contact hours, on a Sunday and a public holiday — for the packages whose behaviour depends on time
# (tests/wall_clock/sitecustomize.py). The suite pins its own instant (tests/conftest.py), so both runs pass alike.
NIGHT := 2027-08-15T23:30:00+05:30
TIME_DEPENDENT := tests/channels tests/scheduler tests/bot tests/webhooks tests/web
# pytest-xdist workers for `make test`: one per core by default (two per core was no faster and made the process
# tests wait on each other); each worker gets its own database (tests/conftest.py).
TEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS)

.PHONY: run test test-night lint format clean translations lock bytecode

$(PY):
	$(PYTHON) -m venv $(VENV)

# The locks pin every package, with hashes: the installer refuses anything else. `make lock` recompiles them from
# pyproject.toml. uv installs them (ten times faster than pip: 10 s instead of 105 s on a fresh venv); uv itself comes
# first, by pip, at the version and hashes pinned in requirements-dev.txt.
UV := $(VENV)/bin/uv
# Installs compile the packages' bytecode, and `bytecode` the project's own (only what changed since): where
# PYTHONDONTWRITEBYTECODE is set (as on our CI machines) nothing caches what it compiles, and every process compiled
# every module it imports from source: each CLI command, worker and test process took 7.5 s to start, not 1.7 s.
INSTALL = $(UV) pip install --python $(PY) --quiet --require-hashes --compile-bytecode

$(UV): requirements-dev.txt | $(PY)
	awk '/^uv==/{pin=1; print; next} pin && /^[ \t]/{print; next} {pin=0}' requirements-dev.txt > $(VENV)/uv-pin.txt
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(VENV)/uv-pin.txt
	touch $@

$(VENV)/.installed: requirements.txt | $(UV)
	$(INSTALL) -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(INSTALL) -r requirements-dev.txt
	touch $@

## lock: recompile requirements.txt and requirements-dev.txt from pyproject.toml, keeping their versions where they
## still fit (UPGRADE=--upgrade, or UPGRADE="--upgrade-package NAME", to move on)
lock: $(VENV)/.installed-dev
	$(LOCK) $(UPGRADE) -o requirements.txt
	$(LOCK) $(UPGRADE) --extra dev -c requirements.txt -o requirements-dev.txt

bytecode: $(VENV)/.installed
	$(PY) -m compileall -q -j 0 -x '/\.(venv|git)/' .

# Compiled translations are build output: made from the committed .po files, never committed.
%.mo: %.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile -i $< -o $@ >/dev/null

## translations: re-extract the pages' (messages), the bot's (bot) and the message templates' (templates) English
## texts into .pot files and merge them into the Hindi and Bengali .po files that translators edit: new texts arrive
## untranslated, changed ones marked fuzzy (tests/web/test_translations.py fails until they are translated);
## existing translations are kept. `make` compiles them.
translations: $(VENV)/.installed
	$(EXTRACT) -F babel.cfg -k lazy_gettext -o $(TRANSLATIONS)/messages.pot --ignore-dirs=".venv tests bench" .
	$(EXTRACT) $(MARKED) -o $(TRANSLATIONS)/bot.pot bot/texts.py
	$(EXTRACT) $(MARKED) -o $(TRANSLATIONS)/templates.pot channels/templates.py
	for domain in messages bot templates; do \
	  $(VENV)/bin/pybabel update --no-wrap -i $(TRANSLATIONS)/$$domain.pot -d $(TRANSLATIONS) -D $$domain; done
	$(MAKE) $(COMPILED)

## run: migrate, seed the demo, start web + scheduler + worker on SQLite with console channels
run: $(VENV)/.installed $(COMPILED) bytecode
	APP_ENV=$${APP_ENV:-development} VENV=$(VENV) bash scripts/run-dev.sh

## test: lint, the whole suite on SQLite, again on PostgreSQL when TEST_DATABASE_URL is set, then the night-time run
test: $(VENV)/.installed-dev $(COMPILED) bytecode lint
	env -u TEST_DATABASE_URL $(PYTEST)
	if [ -n "$${TEST_DATABASE_URL:-}" ]; then $(PYTEST); fi
	$(MAKE) --no-print-directory test-night

## test-night: the time-dependent packages with the wall clock at 23:30 IST on a Sunday that is a public holiday
test-night: $(VENV)/.installed-dev $(COMPILED) bytecode
	env -u TEST_DATABASE_URL WALL_CLOCK=$(NIGHT) PYTHONPATH=tests/wall_clock $(PYTEST) -p no:cacheprovider \
	  -W "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning" $(TIME_DEPENDENT)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts

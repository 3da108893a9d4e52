# The two commands: `make run` (demo app on SQLite, tasks in-process) and `make test` (the whole suite on
# PostgreSQL and Redis, browser tests included). Both set everything up from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# Tests get their own database (pytest-django creates test_<name>_gwN per worker) and their own Redis db
# numbers: one for the broker, one for the shared cache (throttles and lockouts), as in production; the
# second worker moves both two down (tests/settings.py).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cno
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15
TEST_CACHE_URL ?= redis://127.0.0.1:6379/14
TEST_ENV := DEBUG=1 DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
	CACHE_URL=$(TEST_CACHE_URL) DJANGO_ALLOW_ASYNC_UNSAFE=true
RUN_ENV := DEBUG=1

.PHONY: install run demo test test-fast lint bench services clean messages

$(STAMP): requirements.lock requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes \
		-r requirements.lock -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

run: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py load_demo
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

services:
	./scripts/ensure_services.sh

# The interface's catalogues (locale/de and locale/en, README "Languages"): collect every marked string of the
# code, templates and scripts, then compile them. The compiled .mo files are committed, so that `make run`
# needs no gettext tools; the suite fails when a German string is missing or fuzzy or a .mo is stale.
MESSAGES_OPTIONS := -l de -l en --no-location --no-obsolete --ignore='tests/*' --ignore='var/*' \
	--ignore='docs/*' --ignore='scripts/*' --ignore='demo_data/*' --ignore='test-artifacts/*'
messages: install
	$(RUN_ENV) $(BIN)/python manage.py makemessages $(MESSAGES_OPTIONS)
	$(RUN_ENV) $(BIN)/python manage.py compilemessages -l de -l en --ignore='.venv/*'

test: install services
	$(TEST_ENV) $(BIN)/pytest -n 2 --dist worksteal

test-fast: install services
	$(TEST_ENV) $(BIN)/pytest -m "not browser and not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/mypy

bench: install
	$(BIN)/python -m exclusion bench
	$(BIN)/python -m exclusion.bench_cli
	$(BIN)/python -m exclusion.summaries.bench
	command -v wrk >/dev/null || apt-get install -y -qq wrk
	$(BIN)/python -m exclusion.summaries.bench_api

clean:
	rm -rf $(VENV) var staticfiles test-artifacts .pytest_cache .ruff_cache .hypothesis

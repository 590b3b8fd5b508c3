# Two commands set everything up on a fresh machine (see README.md):
#   make run   - virtual environment, install, migrate, demo team, serve on 127.0.0.1:8000
#   make test  - install what the tests need, then run the suite twice:
#                on PostgreSQL + Redis + a real Celery worker, then on the embedded default.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py

# The service run's defaults: the PostgreSQL and Redis of this machine.
SERVICE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/volunteer
SERVICE_BROKER_URL ?= redis://127.0.0.1:6379/0

# `make run` is the embedded default: debug on unless the environment says otherwise.
RUN_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-true}

.PHONY: run test test-services test-embedded install install-dev assets catalogues \
        system-deps lint check-deploy serve collectstatic clean

run: install assets catalogues
	$(RUN_ENV) $(MANAGE) migrate --no-input
	$(RUN_ENV) $(MANAGE) seed_demo --public-passwords-ok
	$(RUN_ENV) $(MANAGE) runserver 127.0.0.1:8000

test: install-dev assets catalogues system-deps
	$(MAKE) test-services
	$(MAKE) test-embedded

# Both halves run in TEST_WORKERS processes (pytest-xdist): each process has its own test
# database and live server, and on the services its own Celery worker thread on its own
# Redis database (the configured one plus its number; conftest.py).
TEST_WORKERS ?= 2

# The suite on the real services. Tests marked `services` fail if one is missing.
test-services:
	DATABASE_URL=$${DATABASE_URL:-$(SERVICE_DATABASE_URL)} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(SERVICE_BROKER_URL)} \
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The suite on the embedded default (SQLite, tasks in-process), services deselected.
test-embedded:
	env -u DATABASE_URL -u CELERY_BROKER_URL -u CELERY_RESULT_BACKEND -u CACHE_URL \
	$(PY) -m pytest -m "not services" -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

# Bootstrap and its icons come from npm and are served by the app itself.
assets: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The zh-hans catalogue, compiled in Python (no gettext tools needed).
catalogues: install
	DJANGO_DEBUG=true $(MANAGE) compile_catalogues

# What the tests need from Debian: Chromium for the browser tests, Noto CJK for pages
# and certificates, gettext for the catalogue-completeness test, wrk for the load check,
# WeasyPrint's pango (certificate PDFs), poppler-utils (pdftotext and pdftoppm read the
# certificates back in tests).
SYSTEM_PACKAGES := chromium fonts-noto-cjk gettext wrk libpango-1.0-0 libpangoft2-1.0-0 \
                   libharfbuzz-subset0 poppler-utils

system-deps:
	@if ! command -v xgettext >/dev/null || ! test -x /usr/bin/chromium || ! command -v wrk >/dev/null \
	    || ! command -v pdftotext >/dev/null || ! /sbin/ldconfig -p | grep -q libpangoft2-1.0 \
	    || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	  else \
	    echo "Please install as root: apt-get install $(SYSTEM_PACKAGES)"; exit 1; \
	  fi; \
	fi

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Production-like settings must pass Django's deployment checks without a warning.
check-deploy: install
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	DJANGO_ALLOWED_HOSTS=volunteer.example.org \
	$(MANAGE) check --deploy --fail-level WARNING

collectstatic: install assets
	DJANGO_DEBUG=false $(MANAGE) collectstatic --no-input --verbosity 0

# Run it for real (PostgreSQL, Redis, gunicorn, a Celery worker and beat): see README.
serve: install assets catalogues collectstatic
	$(MANAGE) migrate --no-input
	$(VENV)/bin/honcho start

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3

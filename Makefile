# Maillage: `make run` installs and starts the platform; `make test` installs what tests need and
# runs every check. Both work on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | md5sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/maillage
REDIS_TEST_URL ?= redis://127.0.0.1:6379/1
CHROMIUM ?= /usr/bin/chromium
PYTEST_WORKERS ?= 2
# The project's Django apps (every folder with an apps.py), for bandit.
APPS := $(patsubst %/apps.py,%,$(wildcard */apps.py))

.PHONY: help install run test lint checks security test-sqlite test-postgres test-browser chromium gettext nginx messages demo migrate translations clean prod-like

help:
	@echo "make run    install, migrate, load demo data and start Maillage on http://$(HOST):$(PORT)"
	@echo "make test   install test needs and run lint, checks, the suite on SQLite and PostgreSQL+Redis, and browser tests"
	@echo "make messages  regenerate the translation catalogues (locale/) after a merge, then commit them"

$(STAMP): requirements.lock pyproject.toml
	@PYTHON=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$PYTHON"; "$$PYTHON" -m venv $(VENV); fi
	@$(PIP) install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	@echo "Installing pinned dependencies (requirements.lock)…"
	@$(PIP) install --quiet -r requirements.lock 2>&1 | grep -v "^WARNING: Location" || true
	@$(PY) -c "import django, channels, wagtail, allauth" || { echo "Installation failed"; exit 1; }
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP)

translations: install
	@$(PY) manage.py compile_translations

migrate: install
	@$(PY) manage.py migrate --noinput -v 0

demo: migrate
	@$(PY) manage.py load_demo

run: install
	@$(PY) manage.py bootstrap
	@echo ""
	@echo "  Maillage is starting on  http://$(HOST):$(PORT)/"
	@echo "  Demo logins (password: maillage-demo):"
	@echo "    staff  : equipe@maillage.localhost   (CMS at http://$(HOST):$(PORT)/cms/)"
	@echo "    member : membre@maillage.localhost"
	@echo "  E-mails are printed in this terminal. Stop with Ctrl-C."
	@echo ""
	@trap 'kill 0' EXIT INT TERM; \
	$(PY) manage.py task_worker --queue-name default & \
	$(PY) manage.py run_periodic --loop & \
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) hub.asgi:application

chromium:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "Installing Chromium for browser tests (apt-get)…"; \
	  (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)); \
	else \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!! Chromium not found at $(CHROMIUM) and cannot be installed (not root):  !!"; \
	  echo "!! BROWSER TESTS WILL BE SKIPPED. Install the 'chromium' package to run. !!"; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	fi

# GNU gettext for makemessages: installed like Chromium when root, else a loud message.
gettext:
	@if command -v xgettext >/dev/null && command -v msgen >/dev/null; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "Installing GNU gettext for the catalogue check (apt-get)…"; \
	  (apt-get install -y -q gettext >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q gettext >/dev/null)); \
	else \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!! GNU gettext (xgettext, msgen) not found and cannot be installed (not  !!"; \
	  echo "!! root): THE FRENCH CATALOGUE CHECK WILL BE SKIPPED. Install 'gettext'. !!"; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	fi

# nginx, for `nginx -t` on deploy/nginx.conf (tests/common/test_container.py): installed like
# gettext when root (Debian's nginx-light; not started), else the test is skipped.
nginx:
	@if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "Installing nginx for the deploy configuration check (apt-get)…"; \
	  (apt-get install -y -q nginx-light >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q nginx-light >/dev/null)) \
	    || echo "!! nginx could not be installed: deploy/nginx.conf is not checked by nginx -t"; \
	else \
	  echo "!! nginx not found and cannot be installed (not root): deploy/nginx.conf is not checked by nginx -t"; \
	fi

# Regenerate locale/*/LC_MESSAGES/django.po from the code (French complete: msgstr = msgid unless
# revised; English for translators) and compile them. The lead runs it after merges and commits.
messages: install gettext
	@$(PY) manage.py messages

lint: install
	@echo "== ruff"
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check --quiet . && echo "ruff format: clean"
	@echo "== import rules (lint-imports: apps import downwards, no cycle inside an app)"
	@$(VENV)/bin/lint-imports --no-cache | sed -n '/^Contracts/,$$p'; exit $${PIPESTATUS[0]}

checks: install translations gettext nginx
	@echo "== translations: French catalogue complete, no template text outside gettext"
	@if command -v msgen >/dev/null; then $(PY) manage.py messages --check; \
	elif [ "$$CI" = "true" ]; then echo "GNU gettext is missing: failing (CI=true)"; exit 1; \
	else $(PY) manage.py messages --check --templates-only; fi
	@echo "== manage.py check / makemigrations --check / check --deploy"
	@DJANGO_SETTINGS_MODULE=hub.settings.test $(PY) manage.py check --fail-level WARNING
	@DJANGO_SETTINGS_MODULE=hub.settings.test $(PY) manage.py makemigrations --check --dry-run
	@DJANGO_SETTINGS_MODULE=hub.settings.production SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  ALLOWED_HOSTS=maillage.example.org $(PY) manage.py check --deploy --fail-level WARNING

# bandit over the project's code (skips justified in pyproject.toml); pip-audit over the pinned
# dependencies. pip-audit needs a vulnerability service: where OSV is unreachable and PyPI does not
# know the mirrored versions, it reports packages it "could not audit" (read its summary).
security: install
	@echo "== bandit"
	@$(VENV)/bin/bandit -c pyproject.toml -r $(APPS) hub -q
	@echo "== pip-audit"
	@out=$$($(VENV)/bin/pip-audit -r requirements.lock --no-deps --disable-pip -s pypi --progress-spinner off 2>&1); rc=$$?; \
	echo "$$out" | grep -iv "could not be audited" | grep -v "^-*$$" | tail -n 5; \
	echo "pip-audit: exit $$rc, $$(echo "$$out" | grep -c "could not be audited") of $$(grep -c "==" requirements.lock) pinned packages could not be audited (no vulnerability data reachable for them)"; \
	exit $$rc

test-sqlite: install
	@echo "== test suite on SQLite"
	@$(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --ignore=tests/browser -m "not browser"

test-postgres: install
	@echo "== test suite on PostgreSQL + Redis"
	@if $(PY) scripts/services-up "$(PG_URL)" "$(REDIS_TEST_URL)"; then \
	  DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --ignore=tests/browser -m "not browser"; \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL or Redis is not reachable: failing (CI=true)"; exit 1; \
	else \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!! PostgreSQL ($(PG_URL)) or Redis ($(REDIS_TEST_URL)) unreachable:       !!"; \
	  echo "!! THE POSTGRESQL + REDIS SUITE WAS SKIPPED.                              !!"; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	fi

test-browser: install chromium
	@echo "== browser tests (Chromium + Playwright + axe-core)"
	@$(VENV)/bin/pytest -q tests/browser -m browser -p no:xdist

test: install chromium lint checks security test-sqlite test-postgres test-browser
	@echo "All checks passed."

prod-like: install
	@$(PY) scripts/prod-like

clean:
	rm -rf $(VENV) staticfiles .test-db.sqlite3*

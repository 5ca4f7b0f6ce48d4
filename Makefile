# Triage Desk: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint stack bench install audit

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "python3 -m venv failed: install your Python's venv package (Debian/Ubuntu: apt-get install python3-venv)" >&2; exit 1; }

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@# A local secret key on the first run (the app refuses to start without one).
	@grep -qs '^DJANGO_SECRET_KEY=.' .env || { \
	  [ -n "$$DJANGO_SECRET_KEY" ] || { \
	    { [ ! -s .env ] || [ -z "$$(tail -c1 .env)" ] || echo >> .env; }; \
	    echo "DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" >> .env; \
	    echo "make run: wrote a local DJANGO_SECRET_KEY to .env"; }; }
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo
	@echo "Triage Desk: log in at http://$(HOST):$(PORT)/login/ with a user printed above"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# Its system checks refuse a missing key with DEBUG off: a throwaway one if none is set.
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	  $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

stack: $(STAMP)
	bash scripts/stack.sh

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# Known-vulnerable dependencies (pip-audit). Needs PyPI's JSON API or OSV; where neither is
# reachable it says so and passes (AUDIT_REQUIRED=1 makes that fatal).
audit: $(STAMP)
	$(BIN)/python .ci/audit.py

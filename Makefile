# BCP WEB — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Links in e-mails (ack links, circulars) point at the port actually served.
SITE_URL ?= http://127.0.0.1:$(PORT)
STAMP := $(VENV)/.installed
LOCK := requirements-dev.lock
# make stack: nginx on this port, gunicorn on the next; its own database and Redis db.
STACK_PORT ?= 8080

.PHONY: install run test test-fast bench lint format messages services system-packages \
	stack lock deps-check clean

# Every Python package comes pinned, with hashes, from the lock; then the project itself.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r $(LOCK)
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP) messages

messages: $(STAMP)
	bash scripts/system-packages.sh run
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var -v0

# The embedded default: SQLite under var/, tasks in-process, e-mail to the console; the
# public board's static copy (what nginx would serve) is written to var/published/.
run: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py publish_board
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

services:
	bash .ci/services.sh

# What the tests need from Debian (Chromium, CJK fonts, gettext, nginx, the service clients).
system-packages:
	bash scripts/system-packages.sh test

# Tests run on the machine's real PostgreSQL and Redis; they are started when down.
test: system-packages install services
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: system-packages install services
	$(BIN)/python -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

# Every benchmark at 1x and 10x (where it fits) within 10 minutes, then one table; see bench/_all.py.
bench: install services
	$(BIN)/python bench/_all.py $(BENCH_ARGS)

# The production stack of the Procfile (nginx, gunicorn, Celery worker and beat) on this
# machine's PostgreSQL and Redis, with production settings; see docs/deploy.md.
stack: install services
	bash scripts/system-packages.sh stack
	$(BIN)/python -m deploy.stack --port $(STACK_PORT) $(STACK_ARGS)

# Re-pin after a change to pyproject.toml (both lock files, with hashes); UPGRADE=1 raises
# every pin to the newest release pyproject.toml allows.
lock: $(STAMP)
	$(BIN)/python -m deploy.locks $(if $(UPGRADE),upgrade,compile)

# Outdated pins (what `make lock` would upgrade) and known vulnerabilities (pip-audit).
deps-check: $(STAMP)
	$(BIN)/python -m deploy.locks check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache

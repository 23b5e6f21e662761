# BCP WEB — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install run test test-fast bench lint format messages services clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) messages

messages: $(STAMP)
	@command -v msgfmt >/dev/null || (echo "installing gettext (msgfmt)"; apt-get update -qq && apt-get install -y -qq gettext >/dev/null) \
	  || { echo "msgfmt is missing: install GNU gettext"; exit 1; }
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var -v0

# The embedded default: SQLite under var/, tasks in-process, e-mail to the console.
run: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

services:
	bash .ci/services.sh

# Tests run on the machine's real PostgreSQL and Redis; they are started when down.
test: install services
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install services
	$(BIN)/python -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

bench: install services
	@set -e; for b in bench/*.py; do case $$b in */_*) continue;; esac; \
	  echo "== $$b"; $(BIN)/python $$b; done

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache

# Two commands for a fresh clone with only Python 3.11 and Debian's packages:
#   make run   - set up, migrate, load the demo and serve on http://127.0.0.1:$(PORT) (with the PDF worker)
#   make test  - the whole suite (browser tests run where Chromium is installed)
#   make serve - the production set-up: gunicorn, the task worker, migrate, collectstatic
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint format install migrate demo worker serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

# The background worker (PDF renders, the daily reminders) runs beside the development server and stops with it.
run: demo
	$(BIN)/python manage.py send_reminders --schedule
	$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production set-up (gunicorn + task worker + hashed static files); see README "Deployment".
serve: install
	PORT=$(PORT) ./deploy/serve

worker: migrate
	$(BIN)/python manage.py db_worker --no-reload

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media

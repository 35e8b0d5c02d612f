# Two commands on a fresh machine: `make demo` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_HOST ?= 127.0.0.1
DEMO_PORT ?= 8000
SANDBOX_PORT ?= 8001
DEMO_COMPANY_ID := 4271122  # integrations/management/commands/demo_setup.py

.PHONY: demo test install migrate lint format check-deploy bench-admin clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py demo_setup --sandbox-url http://$(DEMO_HOST):$(SANDBOX_PORT)
	@echo "Self-service portal: http://$(DEMO_HOST):$(DEMO_PORT)/   Support admin: http://$(DEMO_HOST):$(DEMO_PORT)/admin/   (Ctrl-C stops everything)"
	$(BIN)/python manage.py run_demo --web $(DEMO_HOST):$(DEMO_PORT) \
	  --sandbox-port $(SANDBOX_PORT) --provision-company $(DEMO_COMPANY_ID)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-deploy: install
	DJANGO_SETTINGS_MODULE=portal.settings.production \
	SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))') \
	ALLOWED_HOSTS=portal.example.com \
	FIELD_ENCRYPTION_KEYS=$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

bench-admin: install
	$(BIN)/python bench/admin_changelist.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache

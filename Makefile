# Buurtbasis — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := buurtbasis.settings
export PYTHONPATH := src

.PHONY: run test install lint typecheck pytest browser-test check-ledger messages clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv

# Installs exactly what uv.lock says (fails if pyproject.toml and the lock disagree).
$(VENV)/.installed: $(BIN)/uv uv.lock pyproject.toml
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --locked --inexact --quiet
	@touch $@

install: $(VENV)/.installed

run: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py load_demo --if-empty
	@$(BIN)/python manage.py demo_logins
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy src

pytest: install
	$(BIN)/pytest -m "not browser" -p no:cacheprovider

browser-test: install
	@if [ -x "$${CHROMIUM:-/usr/bin/chromium}" ]; then \
		$(BIN)/pytest -m browser -p no:cacheprovider; \
	else \
		echo "SKIPPED: browser tests (Playwright + axe) — chromium not found at $${CHROMIUM:-/usr/bin/chromium}; install Debian's 'chromium' package to run them."; \
	fi

messages: install
	$(BIN)/python manage.py makemessages -l en -l nl --ignore ".venv/*" --ignore "var/*" --ignore "tests/*" --ignore "bench/*" --ignore "staticfiles/*" --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore .venv

check-ledger: install
	$(BIN)/python manage.py check_ledger

test: lint typecheck pytest browser-test

clean:
	rm -rf $(VENV) var staticfiles .mypy_cache .ruff_cache .pytest_cache

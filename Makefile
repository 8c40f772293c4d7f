# The two set-up commands are `make run` and `make test`; both work on a fresh machine.
SHELL := /bin/bash
UV ?= uv
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test bench lint messages uv sync db

uv:
	@command -v $(UV) >/dev/null 2>&1 || python3 -m pip install --quiet uv

sync: uv
	$(UV) sync --frozen

db: sync
	$(UV) run tutorbot db upgrade
	$(UV) run tutorbot curriculum load

## Start the console bot on the embedded SQLite database.
run: db
	$(UV) run tutorbot chat --user $${TUTORBOT_CONSOLE_USER:-$${USER:-learner}}

## The whole test suite (PostgreSQL too when TUTORBOT_TEST_POSTGRES_URL is set).
test: sync
	$(UV) run pytest

bench: sync
	$(UV) run python -m tests.benchmarks

lint: sync
	$(UV) run ruff check .
	$(UV) run ruff format --check .

## Re-extract translatable messages and merge them into the catalogs.
messages: sync
	$(UV) run pybabel extract -F babel.cfg -k _ -k N_ --no-location --omit-header -o /tmp/tutorbot.pot .
	$(UV) run pybabel update -i /tmp/tutorbot.pot -d bot/core/locales -D tutorbot --no-fuzzy-matching --ignore-obsolete

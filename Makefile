# The two set-up commands are `make run` and `make test`; both work on a fresh machine.
SHELL := /bin/bash
UV ?= uv
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test bench lint messages uv sync db fonts index

uv:
	@command -v $(UV) >/dev/null 2>&1 || python3 -m pip install --quiet uv

sync: uv
	$(UV) sync --frozen

db: sync
	$(UV) run tutorbot db upgrade
	$(UV) run tutorbot curriculum load
	$(UV) run tutorbot bank import

CJK_FONT_PACKAGE ?= fonts-wqy-microhei

## A Chinese font for the retrospective charts: installed once as root on Debian/Ubuntu when no
## font covers Chinese; otherwise a hint (the charts fall back to English labels without one).
fonts:
	@if fc-list :lang=zh 2>/dev/null | grep -q . || [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then \
		:; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing $(CJK_FONT_PACKAGE) for the Chinese labels of the retrospective charts"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $(CJK_FONT_PACKAGE) >/dev/null; } \
			|| echo "could not install $(CJK_FONT_PACKAGE): charts use English labels"; \
	else \
		echo "hint: no Chinese font found, so charts use English labels;" \
			"install one, e.g. sudo apt-get install $(CJK_FONT_PACKAGE)"; \
	fi

## The search index of /ask (plans, cited papers, question banks) in data/qdrant: built once
## (minutes on a fresh machine), then brought up to date in seconds.
index: sync
	$(UV) run tutorbot index

## Start the console bot on the embedded SQLite database.
run: db fonts index
	$(UV) run tutorbot chat --user $${TUTORBOT_CONSOLE_USER:-$${USER:-learner}}

## The whole test suite (PostgreSQL too when TUTORBOT_TEST_POSTGRES_URL is set).
test: sync fonts
	$(UV) run pytest

bench: sync
	$(UV) run python -m tests.benchmarks

## Retrieval quality on ../shared/eval/ask_dev.jsonl: hit@1, hit@5 and MRR per fusion method
## (goal: hit@5 >= 0.95, MRR >= 0.80), and the extractive answers' gold rate (the gold string
## quoted in the answer itself); the index it builds in data/index-eval is reused.
## Then the free-text graders' accuracy on tests/quizzes/free_text_labels.jsonl: the embedding
## grader always, the LLM grader when TUTORBOT_LLM__BASE_URL and __MODEL name a real model.
.PHONY: eval
eval: sync
	$(UV) run python -m bot.services.ask_eval
	$(UV) run python -m quizzes.free_text_eval

lint: sync
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy bot curriculum quizzes retrieval

## Re-extract translatable messages and merge them into the catalogs.
messages: sync
	$(UV) run pybabel extract -F babel.cfg -k _ -k N_ --no-location --omit-header -o /tmp/tutorbot.pot .
	$(UV) run pybabel update -i /tmp/tutorbot.pot -d bot/core/locales -D tutorbot --no-fuzzy-matching --ignore-obsolete

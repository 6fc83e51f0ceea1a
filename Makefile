# Unibill — two commands: `make demo` and `make test`. Everything else is set up by them.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ACCOUNTS ?= 500
# Debian packages the tests and the demo need, as command:package (or /file/path:package).
DEBIAN_PACKAGES := zbarimg:zbar-tools pdftoppm:poppler-utils \
	/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:fonts-dejavu-core \
	/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf:fonts-dejavu-core \
	/usr/bin/chromium:chromium

.PHONY: demo test bench lint setup system-packages serve clean simulate simulate-ci

$(STAMP): pyproject.toml
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

system-packages:
	@scripts/ensure-debian-packages $(DEBIAN_PACKAGES)

setup: system-packages $(STAMP)

# HOST and PORT reach every step: settings derive PUBLIC_BASE_URL (the seeded messages' links,
# the sandbox acquirer and its webhook) from them, so `make demo PORT=8123` needs nothing else.
demo: export HOST := $(HOST)
demo: export PORT := $(PORT)
demo: setup
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --accounts $(DEMO_ACCOUNTS)
	@echo "Serving the demo on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

# The suite runs on TEST_WORKERS processes (pytest-xdist), each with its own test database.
TEST_WORKERS ?= 2
test: setup
	$(PY) -m pytest -q -n $(TEST_WORKERS)

# Benchmarks print their figures; they use DATABASE_URL (PostgreSQL for the published ones).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
# The payments API benchmark's load generator and yardstick (pgbench's binary comes with the
# PostgreSQL server package, which postgresql-contrib pulls in on Debian 12).
BENCH_DEBIAN_PACKAGES := wrk:wrk pgbench:postgresql-contrib
bench: setup
	@scripts/ensure-debian-packages $(BENCH_DEBIAN_PACKAGES)
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} $(PY) -m pytest -q -s -p no:randomly tests/bench

# The deterministic simulation (tests/simulation): SEEDS × MONTHS × ACCOUNTS × 2 tenants, faults
# on, every invariant checked after every simulated day; on DATABASE_URL (SQLite without it).
SEEDS ?= 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20
MONTHS ?= 24
ACCOUNTS ?= 200
SIM_JOBS ?= 2
simulate: setup
	@printf '%s\n' $(SEEDS) | xargs -P $(SIM_JOBS) -I{} $(PY) manage.py simulate --seed {} \
		--months $(MONTHS) --accounts $(ACCOUNTS) --tenants 2 --faults 1

# CI's short run: three seeds on SQLite and one on PostgreSQL, 3 months × 40 accounts each.
simulate-ci: setup
	@printf '%s\n' 1 2 3 | env -u DATABASE_URL xargs -P 2 -I{} $(PY) manage.py simulate \
		--seed {} --months 3 --accounts 40 --tenants 2 --faults 1
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} $(PY) manage.py simulate --seed 4 \
		--months 3 --accounts 40 --tenants 2 --faults 1

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) var staticfiles

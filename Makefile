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

.PHONY: demo test bench lint setup system-packages serve clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

system-packages:
	@scripts/ensure-debian-packages $(DEBIAN_PACKAGES)

setup: system-packages $(STAMP)

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

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) var staticfiles

# Two commands do everything: `make run` and `make test` (and `make bench` for the figures). See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

# Debian packages each command needs (installed with apt-get when missing).
RUN_DEBS := fonts-liberation2 libpango-1.0-0 libpangoft2-1.0-0
TEST_DEBS := $(RUN_DEBS) chromium poppler-utils postgresql redis-server
BENCH_DEBS := wrk
# `make bench BENCH_SCALE=0.1` for a quick run while developing (figures then not comparable).
BENCH_SCALE ?= 1

.PHONY: run test bench setup setup-dev db demo

$(VENV)/.run-installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.run-installed requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(VENV)/.run-installed
	bin/ensure-debs $(RUN_DEBS)

setup-dev: $(VENV)/.dev-installed
	bin/ensure-debs $(TEST_DEBS)

db: setup
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo load

run: demo
	@echo "Cổng thông tin: http://$(HOST):$(PORT)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: setup-dev
	bin/run-tests

# Every benchmark of docs/PERFORMANCE.md on SQLite, then PostgreSQL (a throwaway cluster, as
# `make test`); prints the table and writes bench/results.json.
bench: setup-dev
	bin/ensure-debs $(BENCH_DEBS)
	BENCH_SCALE=$(BENCH_SCALE) bin/with-postgres $(PY) -m bench.run

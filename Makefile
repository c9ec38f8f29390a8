# Two commands do everything: `make run` and `make test`. See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

# Debian packages each command needs (installed with apt-get when missing).
RUN_DEBS := fonts-liberation2 libpango-1.0-0 libpangoft2-1.0-0
TEST_DEBS := $(RUN_DEBS) chromium poppler-utils postgresql

.PHONY: run test setup setup-dev db demo

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

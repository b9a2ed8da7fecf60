# The README's two commands are `make run` and `make test`; both set everything up first.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYBABEL := $(VENV)/bin/pybabel
FLASK := $(VENV)/bin/flask --app portal
HOST ?= 127.0.0.1
PORT ?= 5000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup system-deps python-deps assets compile-translations run test test-unit test-e2e \
        check-translations translations extract update-translations lint bench bench-journey fuzz audit clean

setup: system-deps python-deps assets compile-translations

system-deps:
	@bash scripts/system-deps.sh

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

python-deps: $(VENV)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

portal/static/vendor/htmx.min.js: node_modules/.package-lock.json
	@mkdir -p portal/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js portal/static/vendor/htmx.min.js

assets: portal/static/vendor/htmx.min.js

compile-translations: python-deps
	@$(PYBABEL) compile -d translations -D messages 2>&1 | grep -v '^compiling' || true

# --- running ---------------------------------------------------------------------------
run: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)
run: setup
	PORTAL_ENV=$${PORTAL_ENV:-development} $(FLASK) migrate
	PORTAL_ENV=$${PORTAL_ENV:-development} $(FLASK) seed-sample
	PORTAL_ENV=$${PORTAL_ENV:-development} $(VENV)/bin/python -m portal.serve --host $(HOST) --port $(PORT)

# --- tests -----------------------------------------------------------------------------
test: setup check-translations lint
	$(VENV)/bin/pytest -p no:cacheprovider $(PYTEST_ARGS)

test-unit: setup
	$(VENV)/bin/pytest -p no:cacheprovider tests $(PYTEST_ARGS)

test-e2e: setup
	$(VENV)/bin/pytest -p no:cacheprovider e2e $(PYTEST_ARGS)

# The full fuzz run (issue 13): 250 generated inputs for each row of
# tests/hardening/fuzz_targets.py, over 10,000 requests in all; CI runs 30 a row.
FUZZ_EXAMPLES ?= 250
fuzz: setup
	PORTAL_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV)/bin/pytest -p no:cacheprovider -q \
	    tests/hardening/test_fuzz.py $(PYTEST_ARGS)

# Known vulnerabilities in the installed Python set and the shipped npm packages (README,
# "Dependency audit"). Says so plainly when the advisory services cannot be reached.
audit: setup
	$(PY) scripts/audit.py

lint: python-deps
	$(VENV)/bin/ruff check portal tests e2e bench scripts

check-translations: python-deps
	$(PY) -m portal.i18n_tools check

# --- translators -------------------------------------------------------------------------
extract: python-deps
	$(PY) -m portal.i18n_tools extract

update-translations: python-deps
	$(PY) -m portal.i18n_tools update

# Extract, update both catalogs, and list what still needs translating.
translations: update-translations

# --- benchmarks (not part of CI) ----------------------------------------------------------
bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)

# The 60-second mixed journey (issue 13): on SQLite with 2 workers, then on PostgreSQL with 4.
BENCH_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/bench_journey
bench-journey: setup
	$(PY) bench/run.py --journey --duration 60
	$(PY) bench/run.py --journey --duration 60 --workers 4 --database-url $(BENCH_PG_URL)

clean:
	rm -rf $(VENV) node_modules portal/static/vendor instance .pytest_cache

# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= data/audit.duckdb
PORT ?= 8501

.PHONY: run test test-fast lint test-browser demo bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m audits setup-demo --db $(DB) --demo-dir data/demo

run: demo
	$(BIN)/streamlit run serve.py --server.headless=true --server.port=$(PORT) --browser.gatherUsageStats=false

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# --dist loadfile: a module's tests run in one worker, so its module-scoped fixtures are built once.
# PYTHONDONTWRITEBYTECODE emptied: each worker then reads the test modules pytest rewrote last
# time instead of rewriting them all again (collection takes half the CPU time without it).
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 2 --dist loadfile -q

test: lint
	$(PYTEST)

# The quick loop while working: everything but the tests marked slow (and the browser).
test-fast: $(STAMP)
	$(PYTEST) -m "not slow and not browser"

test-browser: $(STAMP)
	$(BIN)/python -m pytest -q -m browser -p no:xdist

clean:
	rm -rf $(VENV) data/*.duckdb data/*.wal data/demo

# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= data/audit.duckdb
PORT ?= 8501

.PHONY: run test lint test-browser demo bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m audits setup-demo --db $(DB) --demo-dir data/demo

run: demo
	$(BIN)/streamlit run app.py --server.headless=true --server.port=$(PORT) --browser.gatherUsageStats=false

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest -n 2 -q

test-browser: $(STAMP)
	$(BIN)/python -m pytest -q -m browser -p no:xdist

clean:
	rm -rf $(VENV) data/*.duckdb data/*.wal data/demo

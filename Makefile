# One task runner for people, CI and the README.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all demo test check lint typecheck format unit e2e nvim-test vscode-test bench schema predict-eval clean

all: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP) ## The main job end to end: a sample workspace, the real server, a real LSP client
	$(BIN)/intentls demo

test: check unit e2e nvim-test vscode-test ## Everything CI runs

check: lint typecheck

lint: $(STAMP)
	$(BIN)/ruff check server tests
	$(BIN)/ruff format --check server tests

typecheck: $(STAMP)
	$(BIN)/mypy --strict server/

format: $(STAMP)
	$(BIN)/ruff format server tests
	$(BIN)/ruff check --fix server tests

unit: $(STAMP)
	$(BIN)/pytest tests/unit -q

e2e: $(STAMP)
	$(BIN)/pytest tests/e2e -q -n 4

nvim-test: $(STAMP)
	bash editor-clients/nvim/scripts/test.sh

vscode-test: $(STAMP)
	bash editor-clients/vscode/scripts/test.sh

bench: $(STAMP) ## Numbers, not assertions: ratios against baselines measured in the same run
	$(BIN)/python -m tests.bench

schema: $(STAMP) ## Regenerate intents.schema.json from the classes that parse intents.toml
	$(BIN)/python -c 'from intentls.planning.sources.schema import SCHEMA_FILE, schema_text; SCHEMA_FILE.write_text(schema_text())'

predict-eval: $(STAMP) ## Failure prediction replayed on real command histories (docs/failures.md)
	$(BIN)/python -m tests.eval.prediction

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

# One task runner for people, CI and the README.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
# Reproducible artifacts: every file stamped with the last commit's time.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 315532800)
VSIX := $(CURDIR)/dist/intentls-$(VERSION).vsix

.PHONY: all demo test check lint typecheck layers format unit e2e chromium nvim-test vscode-test bench probe schema predict-eval recovery-eval dist dist-test replay clean

all: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP) ## The main job end to end: a sample workspace, the real server, a real LSP client
	$(BIN)/intentls demo

test: check unit e2e nvim-test dist-test vscode-test ## Everything CI runs

check: lint typecheck layers

lint: $(STAMP)
	$(BIN)/ruff check server tests
	$(BIN)/ruff format --check server tests

typecheck: $(STAMP)
	$(BIN)/mypy --strict server/

layers: $(STAMP) ## The import contracts in pyproject.toml (docs/architecture.md, "Layers")
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format server tests
	$(BIN)/ruff check --fix server tests

unit: $(STAMP)
	$(BIN)/pytest tests/unit -q

e2e: $(STAMP) chromium

chromium: ## The HTML report's test renders it in headless Chromium (Debian's package)
	@command -v chromium >/dev/null || apt-get install -y -qq chromium >/dev/null \
	  || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	$(BIN)/pytest tests/e2e -q -n 4

nvim-test: $(STAMP)
	bash editor-clients/nvim/scripts/test.sh

vscode-test: $(STAMP) dist
	VSIX=$(VSIX) bash editor-clients/vscode/scripts/test.sh

probe: $(STAMP) ## Issue 16's reliability probe with figures: kill -9, shared stores, fuzzing, a hostile repo, a full disk (CI runs a bounded form in e2e)
	$(BIN)/python -m tests.probe

bench: $(STAMP) ## Numbers, not assertions: ratios against baselines measured in the same run
	$(BIN)/python -m tests.bench

schema: $(STAMP) ## Regenerate intents.schema.json from the classes that parse intents.toml
	$(BIN)/python -c 'from intentls.planning.sources.schema import SCHEMA_FILE, schema_text; SCHEMA_FILE.write_text(schema_text())'

predict-eval: $(STAMP) ## Failure prediction replayed on real command histories (docs/failures.md)
	$(BIN)/python -m tests.eval.prediction

recovery-eval: $(STAMP) ## What recovery offers on the labelled real failures (docs/failures.md)
	$(BIN)/python -m tests.eval.recovery

dist: $(STAMP) ## The wheel, the sdist and the .vsix (carrying the server's wheels) into dist/
	rm -rf dist editor-clients/vscode/bundled
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $(BIN)/python -m build --outdir dist . >/dev/null
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $(BIN)/python .ci/reproducible-sdist dist/intentls-$(VERSION).tar.gz
	$(BIN)/pip wheel --quiet --wheel-dir editor-clients/vscode/bundled/wheels dist/intentls-$(VERSION)-py3-none-any.whl
	cd editor-clients/vscode && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; }
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) bash editor-clients/vscode/scripts/package.sh $(VSIX) >/dev/null
	cd dist && sha256sum * > SHA256SUMS && cat SHA256SUMS

dist-test: dist ## The wheel in a fresh virtual environment: --version and the demo's smoke run
	bash .ci/dist-smoke dist/intentls-$(VERSION)-py3-none-any.whl

REPLAY_DATA ?= ../shared/data/command-sequences
replay: $(STAMP) ## Next-intent model vs successor counts, replayed on real command sequences
	$(BIN)/python -m tests.replay --data $(REPLAY_DATA) $(ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache dist

# Coterie developer entry points. Everything runs inside .venv, created on demand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := ledger consensus node cli
DEVNET_DIR ?=
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: test lint typecheck layers unit devnet bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check $(PACKAGES) tests
	$(BIN)/ruff format --check $(PACKAGES) tests

typecheck: $(STAMP)
	$(BIN)/mypy $(PACKAGES)

layers: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test: lint typecheck layers unit

# A new testnet in a temporary folder, or DEVNET_DIR=path: created there once, then restarted.
# The start banner lists the nodes and dev accounts once (init's own listing would repeat them).
devnet: $(STAMP)
	@dir="$(DEVNET_DIR)"; [ -n "$$dir" ] || dir=$$(mktemp -d -t coterie-devnet-XXXXXX); \
	[ -f "$$dir/testnet.json" ] || $(BIN)/coterie testnet init --validators 4 --out "$$dir" >/dev/null \
	&& exec $(BIN)/coterie testnet start "$$dir"

# Both modes of issue 6 (docs/performance.md); BENCH_ARGS adds options, e.g. --txs 60000.
# The 4-validator mode runs twice: at its 2,500 tx/s target (latency at that load) and offered
# 3,000 tx/s (what the nodes commit when offered more than the target: the throughput).
bench: $(STAMP)
	$(BIN)/coterie bench --validators 1 $(BENCH_ARGS)
	$(BIN)/coterie bench --validators 4 $(BENCH_ARGS)
	$(BIN)/coterie bench --validators 4 --rate 3000 $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

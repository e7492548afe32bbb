# Coterie developer entry points. Everything runs inside .venv, created on demand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := ledger consensus node cli
DEVNET_DIR ?=
PYTEST_ARGS ?=
BENCH_ARGS ?=
MUTATION_TARGETS ?=
MUTATION_ARGS ?=

.PHONY: test lint typecheck layers unit devnet bench mutation clean

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

# Every mode of docs/performance.md in turn, one table with the goal of each row (cli/bench/
# suite.py): 1 validator on a small state and on 1M accounts with 100,000 written heights (restart,
# disk), 4 validators at 2,500 and 3,000 tx/s, catch-up, the state root at 1M keys, 1 and 4
# validators saturated, 4 without the pacing rule, 4 at 20 tx/s. BENCH_ARGS adds options, e.g.
# --txs 20000, --accounts 100000, --heights 10000, --output json.
bench: $(STAMP)
	nice -n 10 $(BIN)/coterie bench --suite $(BENCH_ARGS)

# Mutation testing of the money and consensus modules (docs/development.md), one worker at the
# lowest priority; takes long, so it is not part of `make test`. MUTATION_TARGETS picks targets
# (splits collectives treasury governance merkle flat consensus), MUTATION_ARGS=--survivors re-runs survivors.
MUTATION_STAMP := $(VENV)/.mutation-installed

$(MUTATION_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,mutation]'
	touch $(MUTATION_STAMP)

mutation: $(MUTATION_STAMP)
	nice -n 19 $(BIN)/python tools/mutation.py $(MUTATION_ARGS) $(MUTATION_TARGETS)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .mutation

# follicle: set-up and common tasks. Everything installs into ./.venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-all lint bench clean mutation

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,web]"
	touch $(STAMP)

## run: install and run the main job: an untreated and a treated man over 10 years, then a
## virtual replication of the trials the source articles cite (Hu 2015, Dhurat 2013)
run: $(STAMP)
	$(BIN)/follicle demo --out-dir out
	$(BIN)/follicle validate --only 'hu2015-*' --only 'dhurat2013-*' --n-per-arm 200 \
		--report out/replication.html
	@echo "Next: open follicle in the browser with $(BIN)/follicle serve (docs/web.md)"

## test: install and run the test suite (slow verification tests included)
test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -n 2 -q

## test-fast: skip the slow verification tests
test-fast: $(STAMP)
	$(BIN)/pytest -n 2 -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

## mutation: mutation testing (mutmut) of the science and safety modules, see docs/testing.md.
## Slow on the whole list; narrow it with a mutant glob and the tests to run, e.g.
##   make mutation MUTANTS='follicle.trials.staging.*' MUTATION_TESTS='tests/trials'
MUTANTS ?=
MUTATION_TESTS ?=
mutation: $(STAMP)
	rm -rf mutants
	MUTATION_TESTS='$(MUTATION_TESTS)' nice -n 10 $(BIN)/python tests/mutation_run.py $(MUTANTS)

bench: $(STAMP)
	$(BIN)/python bench/engine.py

## ppc-plots: posterior predictive check plots for docs/validation.md (docs/images/ppc-*.png):
## follicle validate over the shipped ensemble, then one plot per target group. Rerun after
## the ensemble is rebuilt. Smaller or larger runs: make ppc-plots PPC_ARGS='--members 10'
PPC_ARGS ?=
.PHONY: ppc-plots
ppc-plots: $(STAMP)
	nice -n 10 $(BIN)/python bench/ppc_plots.py --workers 2 --save-json out/ppc.json $(PPC_ARGS)

clean:
	rm -rf $(VENV) out .pytest_cache build src/*.egg-info mutants

# policyqa: `make run` indexes corpus/ and starts the app; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test eval bench parse-report clean

install: $(STAMP)

# torch==2.13.0 first: it is the CPU wheel on this disk; any other torch spec pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test,st]'
	touch $(STAMP)

run: install
	$(BIN)/policyqa ingest corpus/
	$(BIN)/policyqa serve

test: install
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

eval: install
	HF_HUB_OFFLINE=1 $(BIN)/python -m evals.run

bench: install
	HF_HUB_OFFLINE=1 $(BIN)/python -m evals.bench_index

parse-report: install
	$(BIN)/python -m evals.parse_report corpus

clean:
	rm -rf $(VENV) .pytest_cache

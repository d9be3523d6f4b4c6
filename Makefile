# policyqa: `make run` indexes corpus/ and starts the app; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser run test test-fast eval bench parse-report clean

install: $(STAMP)

# torch==2.13.0 first: it is the CPU wheel on this disk; any other torch spec pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test,st]'
	touch $(STAMP)

# The browser tests drive Debian's chromium (playwright's own browser download is not allowed);
# a CJK font makes their screenshots readable. Installed once, as root, when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests (apt-get, needs root)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; }

run: install
	$(BIN)/policyqa ingest corpus/
	$(BIN)/policyqa serve --source-dir corpus/

test: install browser
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

# everything but the real model, the browser, servers and subprocesses: under a minute
test-fast: install
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -m "not slow"

eval: install
	HF_HUB_OFFLINE=1 $(BIN)/python -m evals.run

bench: install
	HF_HUB_OFFLINE=1 $(BIN)/python -m evals.bench_index

parse-report: install
	$(BIN)/python -m evals.parse_report corpus

clean:
	rm -rf $(VENV) .pytest_cache

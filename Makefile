# Polyglot Press. The two commands of the README: `make demo` and `make test`.
# Both set everything up on a fresh machine (a venv in .venv, Debian packages via
# scripts/install-system-deps) and are safe to run again.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=
# `make demo PORT=8080 AWS_PORT=5050` when 8000 or 5000 is taken (0: any free port).
PORT     ?= 8000
AWS_PORT ?= 5000

.PHONY: help setup system-deps js-deps demo test lint typecheck unit integration e2e build bench corpus upload-timing fuzz iam-report clean

help:
	@echo "make demo   - set up and run the real pipeline on content/ with embedded AWS"
	@echo "              (PORT=8000 AWS_PORT=5000 by default: make demo PORT=8080 AWS_PORT=5050)"
	@echo "make test   - set up and run lint, type checks and the whole test suite"
	@echo "make build  - polypub build content/ --out _site (static preview, no AWS)"
	@echo "make lint | typecheck | unit | integration | e2e | fuzz | corpus | upload-timing | iam-report | clean"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP) system-deps js-deps

system-deps:
	@scripts/install-system-deps

# axe-core for the browser tests (package-lock.json pins it). Without npm the browser
# tests skip; CI installs npm and chromium with scripts/install-system-deps --browser.
js-deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: browser tests will be skipped (scripts/install-system-deps --browser)"; fi

demo: setup
	$(BIN)/polypub dev content/ --port $(PORT) --aws-port $(AWS_PORT)

build: setup
	$(BIN)/polypub build content/ --out _site

lint: $(STAMP)
	$(BIN)/ruff check functions tests bench
	$(BIN)/ruff format --check functions tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: setup lint typecheck
	$(BIN)/pytest $(PYTEST_ARGS)

unit: $(STAMP)
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

integration: setup
	$(BIN)/pytest tests/integration $(PYTEST_ARGS)

# Which IAM actions the handlers use, per function, and which grants they never use.
IAM_EXERCISED = .polypub/iam-exercised.jsonl
iam-report: setup
	mkdir -p .polypub && rm -f $(IAM_EXERCISED)
	POLYPUB_IAM_EXERCISED=$(CURDIR)/$(IAM_EXERCISED) $(BIN)/pytest -q -m "not slow" \
		tests/integration/test_publish_flow.py tests/integration/test_translation_flow.py \
		tests/integration/test_reliability.py tests/integration/test_dev_watch.py \
		tests/integration/test_burst.py tests/integration/test_iam.py \
		tests/integration/test_invocation_log.py tests/e2e/test_cli.py $(PYTEST_ARGS)

e2e: setup
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

# Hypothesis over posts, bodies, keys, glossaries, site configs and assets with the
# "fuzz" profile (tests/conftest.py): 5,000 random examples per property instead of the
# 150 derandomized ones `make test` runs. Failures are kept in .hypothesis/ and tried
# first next time. FUZZ_EXAMPLES overrides the count.
FUZZ_EXAMPLES ?= 5000
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/unit/test_fuzz.py \
		--timeout=0 --hypothesis-show-statistics -q $(PYTEST_ARGS)

upload-timing: setup
	$(BIN)/python -m polypub.local.timing content/posts/erasmus-etwinning-experience.md

# Issue 6's benchmark suite (about 15 minutes; bench/README.md): a table on stdout and
# bench-results/bench.json. BENCH_ARGS=--quick for a smoke test of the harness,
# BENCH_ARGS="--only 2,4" for some items, BENCH_ARGS=--profile for cProfile reports too.
BENCH_ARGS ?=
bench: setup
	@scripts/install-system-deps --bench
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Issue 13's figures on the real posts of tests/corpus/ (tests/corpus/README.md): imports
# each blog with `polypub import`, builds it with Apertium, prints the table and writes
# bench-results/corpus.json. CORPUS_ARGS="--sources swcarpentry-website" for one source.
CORPUS_ARGS ?=
corpus: setup
	$(BIN)/python bench/corpus.py $(CORPUS_ARGS)

clean:
	rm -rf $(VENV) _site .polypub .pytest_cache .mypy_cache .ruff_cache functions/*.egg-info \
		node_modules test-artifacts

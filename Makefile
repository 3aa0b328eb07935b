# Polyglot Press. The two commands of the README: `make demo` and `make test`.
# Both set everything up on a fresh machine (a venv in .venv, Debian packages via
# scripts/install-system-deps) and are safe to run again.

# The functions' runtime (template.yaml: Runtime python3.13, arm64): the venv, the locks
# and the Lambda build all target it. scripts/find-python finds that interpreter
# (Debian 12 has only 3.11; these machines have 3.13 under pyenv) or says what to do.
LAMBDA_PYTHON = 3.13
LAMBDA_PLATFORM = aarch64-manylinux_2_28
PYTHON ?= $(shell scripts/find-python $(LAMBDA_PYTHON))
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cat pyproject.toml requirements-dev.lock | cksum | cut -d' ' -f1)
# The SAM CLI in a venv of its own (requirements-sam.in says why), for lint-template.
SAM_VENV ?= .venv-sam
SAM_STAMP = $(SAM_VENV)/.installed-$(shell cat requirements-sam.lock | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=
# `make demo PORT=8080 AWS_PORT=5050` when 8000 or 5000 is taken (0: any free port).
PORT     ?= 8000
AWS_PORT ?= 5000

.PHONY: help setup system-deps js-deps demo test lint lint-template lock typecheck unit integration e2e build bench corpus upload-timing fuzz iam-report clean

help:
	@echo "make demo   - set up and run the real pipeline on content/ with embedded AWS"
	@echo "              (PORT=8000 AWS_PORT=5000 by default: make demo PORT=8080 AWS_PORT=5050)"
	@echo "make test   - set up and run lint, type checks and the whole test suite"
	@echo "make build  - polypub build content/ --out _site (static preview, no AWS)"
	@echo "make lock   - regenerate the lock files from pyproject.toml and the *.in files (UPGRADE=1: newest)"
	@echo "make lint | lint-template | typecheck | unit | integration | e2e | fuzz | corpus | upload-timing | iam-report | clean"

# Exactly the dev lock (hash-checked), then the project itself without resolving again.
# --clear: a venv of another Python (an older 3.11 one) is rebuilt, not patched.
$(STAMP): pyproject.toml requirements-dev.lock
	@test -n "$(PYTHON)" || { echo "no Python $(LAMBDA_PYTHON) found: make PYTHON=/path/to/python$(LAMBDA_PYTHON)" >&2; exit 1; }
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

$(SAM_STAMP): requirements-sam.lock
	@test -n "$(PYTHON)" || { echo "no Python $(LAMBDA_PYTHON) found: make PYTHON=/path/to/python$(LAMBDA_PYTHON)" >&2; exit 1; }
	$(PYTHON) -m venv --clear $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --require-hashes -r requirements-sam.lock
	touch $(SAM_STAMP)

# The three lock files, from pyproject.toml (dev, universal), functions/requirements.in
# (what sam build installs: Lambda's Python and CPU, no boto3; constrained to the dev
# lock's versions, so the tests run what ships) and requirements-sam.in. Existing pins
# are kept unless a range excludes them; UPGRADE=1 takes the newest allowed.
UV_COMPILE = $(BIN)/uv pip compile --quiet --generate-hashes --python-version $(LAMBDA_PYTHON) \
	--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
lock: $(STAMP)
	$(UV_COMPILE) --universal pyproject.toml --extra dev -o requirements-dev.lock
	$(UV_COMPILE) --python-platform $(LAMBDA_PLATFORM) functions/requirements.in \
		--constraint requirements-dev.lock -o functions/requirements.txt
	$(UV_COMPILE) --universal requirements-sam.in -o requirements-sam.lock

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

# template.yaml through cfn-lint and SAM's own validation (which expands the
# Serverless resources first). No credentials needed; the region is only for lookups.
lint-template: $(STAMP) $(SAM_STAMP)
	$(BIN)/cfn-lint template.yaml
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-eu-west-1} SAM_CLI_TELEMETRY=0 \
		$(SAM_VENV)/bin/sam validate --lint --template template.yaml

typecheck: $(STAMP)
	$(BIN)/mypy

test: setup lint lint-template typecheck
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
	rm -rf $(VENV) $(SAM_VENV) _site .polypub .pytest_cache .mypy_cache .ruff_cache functions/*.egg-info \
		node_modules test-artifacts

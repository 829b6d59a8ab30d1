# annobridge: `make demo` runs the main job, `make test` the tests; both set everything up first.
PYTHON ?= python3
VENV := .venv
LS_VENV := .venv-labelstudio
CORE_VENV := .venv-core
BIN := $(VENV)/bin
LABEL_STUDIO_VERSION := 1.23.2
# Test processes: each runs its own Label Studio server and sandbox, whole test files at a time.
TEST_WORKERS ?= auto

.PHONY: setup test test-core docs docs-build demo bench clean

setup: $(VENV)/.installed $(LS_VENV)/.installed

# The project's environment: the core, both providers and the Supervisely sandbox, editable, with what their
# tests use.
$(VENV)/.installed: pyproject.toml plugins/annobridge-labelstudio/pyproject.toml plugins/annobridge-supervisely/pyproject.toml \
		plugins/annobridge-sandbox-supervisely/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[integration]' -e 'plugins/annobridge-labelstudio[testing]' \
		-e 'plugins/annobridge-supervisely[testing]' -e 'plugins/annobridge-sandbox-supervisely[testing]'
	touch $@

# The Label Studio server lives in its own environment: it pins its own SDK and Django.
$(LS_VENV)/.installed:
	test -x $(LS_VENV)/bin/python || $(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/pip install --quiet --upgrade pip
	$(LS_VENV)/bin/pip install --quiet label-studio==$(LABEL_STUDIO_VERSION)
	touch $@

# The core alone (no provider, no sandbox, no Label Studio SDK): the environment tests/ must pass in.
$(CORE_VENV)/.installed: pyproject.toml
	test -x $(CORE_VENV)/bin/python || $(PYTHON) -m venv $(CORE_VENV)
	$(CORE_VENV)/bin/pip install --quiet --upgrade pip
	$(CORE_VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

# First tests/ with the core alone, then everything (tests/, integration/, the plugins') with both providers.
test-core: $(CORE_VENV)/.installed
	$(CORE_VENV)/bin/python -m pytest tests -n $(TEST_WORKERS) --maxprocesses=4

test: setup docs-build test-core
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses=4 --dist loadfile

# The documentation site (mkdocs.yml): `docs` serves it while you edit (port 8001: the sandbox takes 8000),
# `docs-build` builds it with warnings as errors, so a broken reference fails `make test`.
DOCS_PORT ?= 8001
docs: setup
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(DOCS_PORT)

docs-build: setup
	$(BIN)/mkdocs build --strict --site-dir .site

demo: setup
	$(BIN)/python examples/demo.py

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(LS_VENV) $(CORE_VENV) .pytest_cache .hypothesis .site

# annobridge: `make demo` runs the main job, `make test` the tests; both set everything up first.
PYTHON ?= python3
VENV := .venv
LS_VENV := .venv-labelstudio
BIN := $(VENV)/bin
LABEL_STUDIO_VERSION := 1.23.2
# Test processes: each runs its own Label Studio server and sandbox, whole test files at a time.
TEST_WORKERS ?= auto

.PHONY: setup test demo bench clean

setup: $(VENV)/.installed $(LS_VENV)/.installed

# The project's environment: the core and both plugins, editable.
$(VENV)/.installed: pyproject.toml plugins/annobridge-labelstudio/pyproject.toml plugins/annobridge-supervisely/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]' -e plugins/annobridge-labelstudio -e plugins/annobridge-supervisely
	touch $@

# The Label Studio server lives in its own environment: it pins its own SDK and Django.
$(LS_VENV)/.installed:
	test -x $(LS_VENV)/bin/python || $(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/pip install --quiet --upgrade pip
	$(LS_VENV)/bin/pip install --quiet label-studio==$(LABEL_STUDIO_VERSION)
	touch $@

test: setup
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses=4 --dist loadfile

demo: setup
	$(BIN)/python examples/demo.py

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(LS_VENV) .pytest_cache .hypothesis

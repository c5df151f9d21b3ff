# Returnhub developer commands. `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PLUGINS = $(sort $(dir $(wildcard plugins/*/setup.cfg)))
TEST_PLUGINS = tests/fixture_plugins/returnhub-testplugins
PIP     = $(BIN)/python -m pip -q --disable-pip-version-check

.PHONY: venv install install-test demo test test-core test-plugins lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

venv: $(BIN)/python

install: venv
	$(PIP) install -e '.[postgres]' $(foreach p,$(PLUGINS),-e $(p))

install-test: venv
	$(PIP) install -e '.[testing,postgres,dev]' -e $(TEST_PLUGINS) $(foreach p,$(PLUGINS),-e '$(p)[tests]')

demo: install
	$(BIN)/returnhub demo

test: install-test
	@status=0; \
	$(BIN)/python -m pytest tests -q -p no:cacheprovider || status=1; \
	RETURNHUB_SLOW_TESTS=1 $(BIN)/python -m pytest tests/test_plugin_template.py tests/test_wheel_install.py \
	  -q -p no:cacheprovider -k slow || status=1; \
	for p in $(PLUGINS); do \
	  if [ -d "$$p/tests" ]; then echo "== $$p"; \
	    env -u RETURNHUB_TEST_DATABASE_URL $(BIN)/python -m pytest "$$p/tests" -q -p no:cacheprovider --rootdir "$$p" \
	      || status=1; fi; \
	done; \
	exit $$status

lint: install-test
	$(BIN)/ruff check hub tests plugins benchmarks docs

bench: install-test
	$(BIN)/python benchmarks/pipeline.py

clean:
	rm -rf $(VENV) instance build *.egg-info

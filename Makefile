# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint bench screenshots clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: install  ## ingest the sample brand, process the sample inbox, open the console
	$(BIN)/assistant demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

TEST_WORKERS ?= 2

test: lint  ## lint, type-check, then the whole test suite (in TEST_WORKERS processes)
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal --durations=25 -m "not serial and not browser"
	$(BIN)/pytest -q --durations=15 -m "serial or browser"  # alone: they time keys against a live page

bench: install  ## needs ../shared/datasets for the routing benchmarks
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/concurrency.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/console.py

screenshots: install  ## refresh docs/screenshots from the browser test (needs Chromium)
	UPDATE_SCREENSHOTS=1 $(BIN)/pytest -q tests/test_console_browser.py tests/test_console_layout_browser.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache

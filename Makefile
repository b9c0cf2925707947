# Every target sets itself up: on a machine with only python3 and pip, uv is installed into .tools/
# (a private venv, so a system Python that refuses `pip install` is no obstacle), then the locked
# environment into .venv/.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen --all-extras

.PHONY: install test lint typecheck unit test-e2e demo emulator bench clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras
	touch $@

install: .venv/.synced

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: install
	$(RUN) mypy

unit: install
	$(RUN) pytest -m "not e2e"

test: lint typecheck unit test-e2e

test-e2e: install
	$(RUN) pytest -m e2e

demo: install
	$(RUN) python demo/run_demo.py

emulator: install
	$(RUN) personalize-emulator --host 127.0.0.1 --port $${PORT:-5000}

bench: install
	$(RUN) python -m bench $(BENCH)

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache

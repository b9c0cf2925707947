# Every target sets itself up: on a machine with only python3 and pip, uv is installed into .tools/
# (a private venv, so a system Python that refuses `pip install` is no obstacle), then the locked
# environment into .venv/. Two products share the workspace: the provider (the root project) and the local
# Personalize service (personalize-emulator/), each with its own tests.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen --all-extras

.PHONY: install test lint typecheck unit test-emulator test-e2e test-distributed distributed-services browser screenshot build emulator-wheel demo demo-config emulator bench schemas clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

.venv/.synced: pyproject.toml personalize-emulator/pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras --all-packages --all-groups
	touch $@

install: .venv/.synced

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: install
	$(RUN) mypy

unit: install
	$(RUN) pytest -m "not e2e and not distributed"

# The emulator's own tests, with its own pytest configuration (personalize-emulator/pyproject.toml).
test-emulator: install
	$(RUN) pytest personalize-emulator/tests

test: lint typecheck unit test-emulator test-e2e emulator-wheel

test-e2e: install browser
	$(RUN) pytest -m e2e

# The fan-out DAGs on Airflow as production runs it: PostgreSQL, the CeleryExecutor over Redis, two Celery
# workers and two triggerers (one of each killed mid-run). Debian's postgresql and redis-server are
# installed here when missing (as root, as on CI); the test starts private instances of both.
test-distributed: install distributed-services
	$(RUN) pytest -m distributed -s

distributed-services:
	@if command -v redis-server >/dev/null && { command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; }; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql redis-server; \
	else \
		echo "The distributed test needs Debian's postgresql and redis-server: sudo apt-get install postgresql redis-server" >&2; \
		exit 1; \
	fi

# The Personalize view's e2e test drives Debian's chromium through its chromedriver: installed here when
# missing (as root, as on CI); the test itself never downloads a browser.
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; \
	else \
		echo "The browser test needs Debian's chromium and chromium-driver: sudo apt-get install chromium chromium-driver" >&2; \
		exit 1; \
	fi

# docs/personalize-view.png (the README's picture), taken by the view's browser test.
screenshot: install browser
	PERSONALIZE_VIEW_SCREENSHOT=docs/personalize-view.png $(RUN) pytest tests/e2e/test_personalize_view_browser.py

# Both distributions' sdists and wheels, into dist/.
build: | $(UV)
	rm -rf dist
	$(UV) build --all-packages --out-dir dist

# The emulator's wheel installed alone in a fresh venv: serves in-process and over HTTP, without Airflow.
emulator-wheel: build
	UV=$(UV) $(RUN) python personalize-emulator/scripts/check_wheel.py dist/personalize_emulator-*.whl

demo: install
	$(RUN) python -m demo.run_demo $(if $(KEEP),--keep)

# The deployment example_dags/personalize_deployment.yaml describes, from bootstrap to teardown.
demo-config: install
	$(RUN) python demo/run_config_demo.py

emulator: install
	$(RUN) personalize-emulator --host 127.0.0.1 --port $${PORT:-5000}

# `make bench` runs the quick benchmarks of both products; BENCH="name ..." picks some (bench/__main__.py).
bench: install
	$(RUN) python -m bench $(BENCH)

# The config formats' JSON Schemas, from botocore's model (after a botocore upgrade or a format change).
schemas: install
	$(RUN) python -m airflow_provider_personalize.pipelines.jsonschemas

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache

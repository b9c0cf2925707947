# Every target sets itself up: on a machine with only python3 and pip, uv is installed into .tools/
# (a private venv, so a system Python that refuses `pip install` is no obstacle), then the locked
# environment into .venv/. Two products share the workspace: the provider (the root project) and the local
# Personalize service (personalize-emulator/), each with its own tests.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen --all-extras
# pytest-xdist workers for the integration layer, which mostly waits on emulated statuses: more workers
# than cores pays, since a waiting worker costs no CPU. Each worker starts its own emulator server
# and has its own AIRFLOW_HOME. TEST_WORKERS=0 runs a layer in one process. A module whose fixture is
# module-scoped stays on one worker (--dist loadfile, or an xdist_group mark with loadgroup), so that the
# fixture is set up once.
TEST_WORKERS ?= 4
# The emulator's tests mostly compute (two workers: 65 CPU-s in 45 s alone): a worker a core, since
# make test runs them beside the other layers, where more workers would only cost more CPU.
EMULATOR_TEST_WORKERS ?= 2

.PHONY: install check test lint typecheck unit integration test-emulator test-e2e test-distributed test-compat \
	distributed-services browser screenshot build emulator-wheel test-floor test-pythons test-python demo \
	demo-config emulator bench schemas clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

# --compile-bytecode: every package's .pyc written once at install. Python writes none itself where
# PYTHONDONTWRITEBYTECODE is set (as on this project's machines), and then every process compiles every
# module it imports: ~1.8 of the ~3 CPU-s Airflow's import costs, paid by each test worker, CLI, task and
# component process.
.venv/.synced: pyproject.toml personalize-emulator/pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-extras --all-packages --all-groups --compile-bytecode
	touch $@

install: .venv/.synced

# Before every change: lint, types and the provider's unit tests (no server, no subprocess).
check: lint typecheck unit

# Everything but the distributed deployment (make test-distributed): what make check runs, lint and unit
# first (they fail fastest), then the other layers side by side, each printing its output when it ends.
# The layers that only compute (the emulator's tests, mypy: 30 s of one core from a cold cache, as on
# CI, the wheel's check) run niced (YIELD): the integration layer, whose tests wait on emulated time, is
# the longest, and it gets the cores first; the computing layers take what it leaves, and finish on both
# cores rather than leave one idle while the integration layer's last waits end.
test: lint unit
	$(MAKE) --no-print-directory -j5 --output-sync=target integration test-emulator test-e2e emulator-wheel \
		typecheck YIELD="nice -n 10"

# ruff, and vulture for dead code (pyproject's [tool.vulture] lists the names frameworks call).
lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) vulture

# mypy over both products and their tests, each with its own configuration ([tool.mypy]).
typecheck: install
	$(YIELD) $(RUN) mypy
	$(YIELD) $(RUN) --directory personalize-emulator mypy

unit: install
	$(RUN) pytest tests/unit

# Real DAG runs against the HTTP emulator: dag.test() in-process, and `airflow dags test` where the CLI is
# the point. One Airflow database migration per run, copied into every worker and every CLI's AIRFLOW_HOME.
integration: install
	$(RUN) pytest tests/integration -n $(TEST_WORKERS) --dist loadgroup

# The emulator's own tests, with its own pytest configuration (personalize-emulator/pyproject.toml).
test-emulator: install
	$(YIELD) $(RUN) pytest personalize-emulator/tests -n $(EMULATOR_TEST_WORKERS) --dist loadfile

# Each module's deployment on a worker of its own; never the distributed deployment (make test-distributed).
test-e2e: install browser
	$(RUN) pytest tests/e2e -n 2 --dist loadfile -m "not distributed"

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
	UV=$(UV) $(YIELD) $(RUN) python personalize-emulator/scripts/check_wheel.py dist/personalize_emulator-*.whl

# CPython X.Y: a pyenv build if there is one (pyenv's shims on PATH fail for a version that is not
# selected), else pythonX.Y on PATH. No allowed registry ships CPython builds (uv python install
# downloads them from elsewhere): the interpreters other than the system's come with the machine.
python_for = $(or $(firstword $(wildcard $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/$(1).*/bin/python$(1))),$(shell command -v python$(1) 2>/dev/null),$(error no CPython $(1) on this machine))

# The unit tests of both products with every direct dependency resolved at its declared floor (uv's
# lowest-direct resolution), in a venv of their own (uv.lock and .venv untouched), on CPython
# FLOOR_PYTHON: floors differ on 3.13 (the first numpy, pyarrow and Airflow with 3.13 wheels). The
# emulator's unit tests are those that keep it in-process (-m "not server": the HTTP server is the same
# code behind waitress, tested on the locked versions by make test).
FLOOR_PYTHON ?= 3.11
FLOOR_VENV = .venv-floor-$(FLOOR_PYTHON)
test-floor: | $(UV)
	$(UV) venv --quiet --allow-existing --python $(call python_for,$(FLOOR_PYTHON)) $(FLOOR_VENV)
	$(UV) pip compile --quiet --no-header pyproject.toml personalize-emulator/pyproject.toml --all-extras \
		--group pyproject.toml:dev --group personalize-emulator/pyproject.toml:dev \
		--resolution lowest-direct --python $(FLOOR_VENV)/bin/python -o $(FLOOR_VENV)/requirements.txt
	VIRTUAL_ENV=$(FLOOR_VENV) $(UV) pip sync --quiet --compile-bytecode $(FLOOR_VENV)/requirements.txt
	VIRTUAL_ENV=$(FLOOR_VENV) $(UV) pip install --quiet --no-deps -e . -e personalize-emulator
	$(FLOOR_VENV)/bin/python -m pytest tests/unit -n 2
	cd personalize-emulator && ../$(FLOOR_VENV)/bin/python -m pytest tests -m "not server" -n $(EMULATOR_TEST_WORKERS) --dist loadfile

# What CI runs beyond make test and make test-distributed, side by side (each mostly one core, one in
# its install while another tests): the floors on 3.11 and 3.13, the locked versions on 3.12.
test-compat:
	$(MAKE) --no-print-directory -j3 --output-sync=target compat-floor-3.11 compat-floor-3.13 compat-python-3.12

compat-floor-%:
	$(MAKE) --no-print-directory test-floor FLOOR_PYTHON=$*

compat-python-%:
	$(MAKE) --no-print-directory test-python PYTHON_VERSION=$*

# The unit tests of both products on the locked versions, on each other CPython the products support.
PYTHONS ?= 3.12 3.13
test-pythons:
	set -e; for version in $(PYTHONS); do $(MAKE) --no-print-directory test-python PYTHON_VERSION=$$version; done

test-python: | $(UV)
	UV_PROJECT_ENVIRONMENT=.venv-py$(PYTHON_VERSION) $(UV) sync --quiet --frozen --all-extras --all-packages \
		--all-groups --compile-bytecode --python $(call python_for,$(PYTHON_VERSION))
	UV_PROJECT_ENVIRONMENT=.venv-py$(PYTHON_VERSION) $(RUN) pytest tests/unit -n 2
	UV_PROJECT_ENVIRONMENT=.venv-py$(PYTHON_VERSION) $(RUN) pytest personalize-emulator/tests -m "not server" -n $(EMULATOR_TEST_WORKERS) --dist loadfile

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
	rm -rf .venv .venv-floor-* .venv-py* .tools .pytest_cache .mypy_cache .ruff_cache

"""What importing the provider's modules pulls in, in a fresh interpreter as the DAG processor has it.

tests/unit/test_import_cost.py checks the same in the test process, where Airflow and the other
third-party modules are already loaded; this one also catches a third-party module that brings them in.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.deferred_imports import DEFERRED, PACKAGE

EXAMPLE_DAGS = Path(__file__).resolve().parents[2] / "example_dags"


def test_parsing_a_dag_loads_neither_the_service_model_nor_the_trigger_nor_aiohttp_nor_openlineage():
    # DAG-parse cost (bench/parse_cost.py measures it): these are loaded only when a task runs or defers.
    probe = (
        f"import sys, {PACKAGE}.waits, {PACKAGE}.operators.personalize, {PACKAGE}.sensors.personalize; "
        f"print('loaded:', sorted(name for name in sys.modules if name.startswith({DEFERRED})))"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "loaded: []" in completed.stdout.splitlines()


def test_parsing_a_config_driven_dag_file_loads_neither_the_service_model_nor_the_trigger():
    # DAG-parse cost (bench/config_parse.py measures it): botocore's service model, the trigger and the
    # schema generator are not loaded while DAGs are built.
    deferred = ("hooks.request_model", "triggers.personalize", "pipelines.jsonschemas")
    probe = (
        f"import sys, runpy; sys.path.insert(0, {str(EXAMPLE_DAGS)!r}); "
        f"runpy.run_path({str(EXAMPLE_DAGS / 'personalize_deployment_dags.py')!r}); "
        f"print('loaded:', sorted(name for name in sys.modules if name.endswith({deferred})))"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "loaded: []" in completed.stdout.splitlines()


def test_the_triggerer_imports_the_trigger_module_without_aiohttp_aiobotocore_or_the_hooks():
    # The triggerer imports a trigger's module on its event loop (bench/triggerer_startup.py measures the
    # stall): here after Airflow's triggerer itself, as in that process.
    heavy = ("aiohttp", "aiobotocore", "botocore.exceptions", "boto3", f"{PACKAGE}.hooks", f"{PACKAGE}.waits")
    probe = (
        "import sys, airflow.jobs.triggerer_job_runner; before = set(sys.modules); "
        f"import {PACKAGE}.triggers.personalize; "
        f"print('loaded:', sorted(name for name in set(sys.modules) - before if name.startswith({heavy})))"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "loaded: []" in completed.stdout.splitlines()

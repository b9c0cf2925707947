"""What importing the provider's modules pulls in, in a fresh interpreter as the DAG processor has it.

tests/unit/test_import_cost.py checks the same in the test process, where Airflow and the other
third-party modules are already loaded; this one also catches a third-party module that brings them in.
"""

from __future__ import annotations

import subprocess
import sys

PACKAGE = "airflow_provider_personalize"
DEFERRED = ("aiohttp", "aiobotocore", f"{PACKAGE}.triggers.personalize", f"{PACKAGE}.hooks.request_model")


def test_parsing_a_dag_loads_neither_the_service_model_nor_the_trigger_nor_aiohttp():
    # DAG-parse cost (bench/parse_cost.py measures it): these are loaded only when a task runs or defers.
    probe = (
        f"import sys, {PACKAGE}.waits, {PACKAGE}.operators.personalize, {PACKAGE}.sensors.personalize; "
        f"print('loaded:', sorted(name for name in sys.modules if name.startswith({DEFERRED})))"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "loaded: []" in completed.stdout.splitlines()

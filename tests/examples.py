"""The example DAGs, loaded and run in this process as the DAG processor and ``airflow dags test`` would.

:func:`load_example_dags` parses a DAG file from the DAGs folder beside the module and schemas the examples
share, with their settings in the environment, every task that waits made deferrable; :func:`run_green` runs
a DAG with ``dag.test()`` and asserts that it succeeded. A fresh ``airflow`` process costs ~9.5 CPU-s before
the first task (Airflow's import, the in-process execution API); a ``dag.test()`` after the first, ~0.15 s.
"""

from __future__ import annotations

import inspect
import shutil
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from tests.dagbag import parse_dags

EXAMPLE_DAGS = Path(__file__).resolve().parents[1] / "example_dags"


def waits(operator_class: type) -> bool:
    """Whether the operator (or a base it passes its keywords to) takes a ``waiter_delay``."""
    return any(
        "waiter_delay" in inspect.signature(vars(cls)["__init__"]).parameters
        for cls in operator_class.__mro__
        if "__init__" in vars(cls)
    )


def deferrable(dags: dict[str, Any]) -> dict[str, Any]:
    """The DAGs, every task that waits made deferrable: what the demo's AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE
    does, not possible here: operators read it when imported."""
    for dag in dags.values():
        for task in dag.tasks:
            if not waits(getattr(task, "operator_class", type(task))):
                continue
            if hasattr(task, "partial_kwargs"):  # a mapped task: its arguments until it is expanded
                task.partial_kwargs["deferrable"] = True
            else:
                task.deferrable = True
    return dags


def load_example_dags(
    dag_file: Path, dags_folder: Path, settings: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """The DAGs of ``dag_file`` (an example, or a DAG file using the examples' module) by id, deferrable,
    parsed from ``dags_folder`` as Airflow parses it (the folder on sys.path), with ``aws_default`` and the
    examples' settings (bucket, role, a waiter delay for an emulator) of ``settings``
    (demo.run_demo.airflow_settings) in the environment."""
    shutil.copy(EXAMPLE_DAGS / "personalize_example_common.py", dags_folder)
    shutil.copytree(EXAMPLE_DAGS / "schemas", dags_folder / "schemas", dirs_exist_ok=True)
    monkeypatch.syspath_prepend(str(dags_folder))
    for name, value in settings.items():
        if name == "AIRFLOW_CONN_AWS_DEFAULT" or name.startswith("PERSONALIZE_EXAMPLE_"):
            monkeypatch.setenv(name, value)
    # The shared module reads the environment when imported: an earlier import holds other values.
    monkeypatch.delitem(sys.modules, "personalize_example_common", raising=False)
    installed = shutil.copy(dag_file, dags_folder)
    dagbag = parse_dags(installed)
    assert dagbag.import_errors == {}
    return deferrable(dagbag.dags)


def run_green(dag: Any, day: date, conf: dict[str, Any] | None = None) -> Any:
    """``dag.test()`` for ``day``; asserts that the run succeeded; returns it."""
    dag_run = dag.test(logical_date=datetime.combine(day, time(), UTC), run_conf=conf)
    assert dag_run.state == "success", {ti.task_id: ti.state for ti in dag_run.get_task_instances()}
    return dag_run

"""A DAGs folder (or file) parsed as Airflow's DAG processor parses it, whichever Airflow 3 is installed."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def parse_dags(dag_folder: Path) -> Any:
    """Airflow's DagBag of ``dag_folder`` (a folder or one DAG file): its ``dags`` and ``import_errors``."""
    # Imported here: modules that check what parsing imports must not find Airflow's DAG processing loaded.
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow < 3.2
        from airflow.models.dagbag import DagBag  # type: ignore[no-redef]

    return DagBag(dag_folder=str(dag_folder))

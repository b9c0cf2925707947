"""The pipeline through the ``airflow dags test`` CLI: a separate Airflow process, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_airflow_dags_test_runs_the_deferrable_pipeline(it_dags, personalize):
    # The airflow console script of this environment; the connection and AIRFLOW_HOME are inherited.
    airflow = Path(sys.executable).with_name("airflow")
    completed = subprocess.run(
        [str(airflow), "dags", "test", "personalize_it_pipeline_deferrable", "2026-01-02"],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    assert "Deferring until Personalize" in output
    assert "state=success" in output
    (job,) = personalize.list_data_deletion_jobs()["dataDeletionJobs"]
    assert job["status"] == "COMPLETED"
    assert len(personalize.list_dataset_import_jobs()["datasetImportJobs"]) == 1

"""The pipeline through the ``airflow dags test`` CLI: a separate Airflow process, as a user runs it."""

from __future__ import annotations


def test_airflow_dags_test_runs_the_deferrable_pipeline(it_dags, personalize, airflow_cli):
    # The connection and AIRFLOW_HOME are inherited from the test.
    output = airflow_cli("dags", "test", "personalize_it_pipeline_deferrable", "2026-01-02", timeout=240)
    assert "Deferring until Personalize" in output
    assert "state=success" in output
    (job,) = personalize.list_data_deletion_jobs()["dataDeletionJobs"]
    assert job["status"] == "COMPLETED"
    assert len(personalize.list_dataset_import_jobs()["datasetImportJobs"]) == 1

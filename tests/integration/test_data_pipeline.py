"""Real DAG runs against the HTTP emulator, through an Airflow connection's endpoint_url."""

from __future__ import annotations

import pendulum
import pytest

LOGICAL_DATE = pendulum.datetime(2026, 1, 2, tz="UTC")


def task_states(run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def resources(personalize) -> dict[str, list[dict]]:
    """Everything the pipeline creates, listed from the emulator."""
    groups = personalize.list_dataset_groups()["datasetGroups"]
    datasets = personalize.list_datasets()["datasets"]
    listed = {
        "dataset_groups": groups,
        "datasets": datasets,
        "schemas": personalize.list_schemas()["schemas"],
    }
    listed["import_jobs"] = personalize.list_dataset_import_jobs()["datasetImportJobs"]
    listed["export_jobs"] = personalize.list_dataset_export_jobs()["datasetExportJobs"]
    listed["deletion_jobs"] = personalize.list_data_deletion_jobs()["dataDeletionJobs"]
    return listed


def counts(listed: dict[str, list[dict]]) -> dict[str, int]:
    return {kind: len(items) for kind, items in listed.items()}


@pytest.mark.parametrize("mode", ["blocking", "deferrable"])
def test_the_pipeline_chains_arns_and_a_rerun_creates_nothing_new(it_dags, personalize, mode, capfd):
    dag = getattr(it_dags, f"personalize_it_pipeline_{mode}")
    run = dag.test(logical_date=LOGICAL_DATE)
    assert run.state == "success", task_states(run)
    assert ("Deferring until Personalize" in capfd.readouterr().out) == (mode == "deferrable")

    listed = resources(personalize)
    assert counts(listed) == dict.fromkeys(listed, 1)
    group_arn = listed["dataset_groups"][0]["datasetGroupArn"]
    dataset = personalize.describe_dataset(datasetArn=listed["datasets"][0]["datasetArn"])["dataset"]
    assert dataset["datasetGroupArn"] == group_arn
    assert dataset["schemaArn"] == listed["schemas"][0]["schemaArn"]
    import_job = personalize.describe_dataset_import_job(
        datasetImportJobArn=listed["import_jobs"][0]["datasetImportJobArn"]
    )["datasetImportJob"]
    assert import_job["datasetArn"] == dataset["datasetArn"]
    assert import_job["status"] == "ACTIVE"
    # <dag id>-<task id>-<logical date>, cut to the API's 63 characters with a hash of the whole.
    assert import_job["jobName"].startswith(f"{dag.dag_id}-import_interactions-")
    assert len(import_job["jobName"]) == 63
    export_job = personalize.describe_dataset_export_job(
        datasetExportJobArn=listed["export_jobs"][0]["datasetExportJobArn"]
    )["datasetExportJob"]
    assert export_job["jobOutput"] == {
        "s3DataDestination": {"path": "s3://personalize-it/exports/2026-01-02/"}
    }
    assert export_job["status"] == "ACTIVE"
    deletion_job = personalize.describe_data_deletion_job(
        dataDeletionJobArn=listed["deletion_jobs"][0]["dataDeletionJobArn"]
    )["dataDeletionJob"]
    assert deletion_job["datasetGroupArn"] == group_arn
    assert deletion_job["status"] == "COMPLETED"
    xcom_arns = {ti.task_id: ti.xcom_pull(task_ids=ti.task_id) for ti in run.get_task_instances()}
    assert xcom_arns["delete_users"] == deletion_job["dataDeletionJobArn"]

    rerun = dag.test(logical_date=LOGICAL_DATE)
    assert rerun.state == "success", task_states(rerun)
    assert counts(resources(personalize)) == counts(listed)

    next_day = dag.test(logical_date=LOGICAL_DATE.add(days=1))
    assert next_day.state == "success", task_states(next_day)
    assert counts(resources(personalize)) == {
        **counts(listed),
        "import_jobs": 2,
        "export_jobs": 2,
        "deletion_jobs": 2,
    }


def test_a_retry_adopts_the_job_its_first_try_created(it_dags, personalize, personalize_emulator_clean):
    # One status per three describes: the first try's three polls leave the job in progress.
    personalize_emulator_clean.set_transition(
        "personalize::dataset-import-job", {"progression": "manual", "times": 3}
    )
    run = it_dags.personalize_it_retry.test(logical_date=LOGICAL_DATE)
    assert run.state == "success", task_states(run)
    import_ti = run.get_task_instance("import_interactions")
    assert import_ti.try_number == 2
    jobs = personalize.list_dataset_import_jobs()["datasetImportJobs"]
    assert len(jobs) == 1
    assert jobs[0]["status"] == "ACTIVE"


def test_bad_inputs_fail_before_any_request(it_dags, personalize, capfd):
    run = it_dags.personalize_it_bad_input.test(logical_date=LOGICAL_DATE)
    assert task_states(run) == {"bad_group_name": "failed"}
    task_log = capfd.readouterr().out
    assert "Invalid arguments for CreateDatasetGroup: name: '-2026-01-02' does not match" in task_log
    assert "domain: 'RETAIL' is not one of" in task_log
    assert personalize.list_dataset_groups()["datasetGroups"] == []


IMPORT_FAILURE = "Input CSV is missing the following columns: [TIMESTAMP]"


@pytest.mark.parametrize("mode", ["blocking", "deferrable"])
def test_an_import_the_service_fails_fails_the_task_with_its_reason(
    it_dags, personalize, personalize_emulator_clean, capfd, mode
):
    personalize_emulator_clean.set_faults(failNext={"DatasetImportJob": IMPORT_FAILURE})
    run = getattr(it_dags, f"personalize_it_import_{mode}").test(logical_date=LOGICAL_DATE)
    assert task_states(run)["import_interactions"] == "failed"
    (job,) = personalize.list_dataset_import_jobs()["datasetImportJobs"]
    assert job["status"] == "CREATE FAILED"
    task_log = capfd.readouterr().out
    assert f"{job['datasetImportJobArn']} ended in status 'CREATE FAILED': {IMPORT_FAILURE}" in task_log

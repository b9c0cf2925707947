"""Redoing failed work and adopting only what was asked for, in real DAG runs against the HTTP emulator.

A rerun of the same run (``dag.test`` with the same logical date clears and runs it again, as clearing a
whole run does) finds what its earlier tries created.
"""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest

from tests.integration.dags.personalize_it_dags import BUCKET

REDO_DAG_FILE = Path(__file__).parent / "dags" / "personalize_redo_dags.py"
LOGICAL_DATE = pendulum.datetime(2026, 1, 2, tz="UTC")


@pytest.fixture
def redo_dags(it_dags, install_dags):
    return install_dags(REDO_DAG_FILE)


def task_states(run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def test_rerunning_a_failed_import_after_uploading_its_file_imports_it_with_a_new_job(
    redo_dags, personalize, personalize_emulator_clean, capfd
):
    dag = redo_dags.personalize_redo_import
    first = dag.test(logical_date=LOGICAL_DATE)
    assert task_states(first)["import_interactions"] == "failed"
    (failed,) = personalize.list_dataset_import_jobs()["datasetImportJobs"]
    assert failed["status"] == "CREATE FAILED"

    interactions = personalize_emulator_clean.client("s3").get_object(Bucket=BUCKET, Key="interactions.csv")
    personalize_emulator_clean.client("s3").put_object(
        Bucket=BUCKET, Key="daily/2026-01-02.csv", Body=interactions["Body"].read()
    )
    capfd.readouterr()
    rerun = dag.test(logical_date=LOGICAL_DATE)

    assert rerun.state == "success", task_states(rerun)
    jobs = {job["jobName"]: job for job in personalize.list_dataset_import_jobs()["datasetImportJobs"]}
    redo_name = f"{failed['jobName'][: 63 - len('-redo1')]}-redo1"
    assert set(jobs) == {failed["jobName"], redo_name}
    assert jobs[redo_name]["status"] == "ACTIVE"
    assert jobs[failed["jobName"]]["status"] == "CREATE FAILED"
    assert (
        rerun.get_task_instance("import_interactions").xcom_pull() == jobs[redo_name]["datasetImportJobArn"]
    )
    log = capfd.readouterr().out
    assert f"ended in CREATE FAILED ({failed['failureReason']}): creating a new one" in log
    assert f"named '{redo_name}': this run's earlier attempt ({failed['jobName']}) did not succeed" in log

    # Once more: the run's import succeeded, so it is reused, and the log says how to force a new one.
    again = dag.test(logical_date=LOGICAL_DATE)
    assert again.state == "success"
    assert len(personalize.list_dataset_import_jobs()["datasetImportJobs"]) == 2
    assert "set if_exists='new' on the task and clear it" in capfd.readouterr().out


def test_a_stopped_training_rerun_trains_anew(redo_dags, personalize, personalize_emulator_clean):
    dag = redo_dags.personalize_redo_train
    # Training slow enough that the task's five polls end before it does: the task fails on its timeout.
    personalize_emulator_clean.set_transition(
        "personalize::solution-version", {"progression": "time", "seconds": 60}
    )
    first = dag.test(logical_date=LOGICAL_DATE)
    assert task_states(first)["train"] == "failed"
    (solution,) = personalize.list_solutions()["solutions"]
    (version,) = personalize.list_solution_versions(solutionArn=solution["solutionArn"])["solutionVersions"]
    personalize.stop_solution_version_creation(solutionVersionArn=version["solutionVersionArn"])
    personalize_emulator_clean.unset_transition("personalize::solution-version")
    stopped = personalize.describe_solution_version(solutionVersionArn=version["solutionVersionArn"])
    while stopped["solutionVersion"]["status"] != "CREATE STOPPED":
        stopped = personalize.describe_solution_version(solutionVersionArn=version["solutionVersionArn"])

    rerun = dag.test(logical_date=LOGICAL_DATE)

    assert rerun.state == "success", task_states(rerun)
    versions = personalize.list_solution_versions(solutionArn=solution["solutionArn"])["solutionVersions"]
    described = [
        personalize.describe_solution_version(solutionVersionArn=v["solutionVersionArn"])["solutionVersion"]
        for v in versions
    ]
    by_status = {v["status"]: v for v in described}
    assert set(by_status) == {"CREATE STOPPED", "ACTIVE"}
    assert by_status["ACTIVE"]["name"] == f"{by_status['CREATE STOPPED']['name'][:57]}-redo1"
    assert rerun.get_task_instance("train").xcom_pull() == by_status["ACTIVE"]["solutionVersionArn"]


def test_a_group_of_another_domain_is_not_adopted(redo_dags, personalize, capfd):
    existing = personalize.create_dataset_group(name="redo-group", domain="ECOMMERCE")["datasetGroupArn"]
    run = redo_dags.personalize_redo_other_domain.test(logical_date=LOGICAL_DATE)
    assert task_states(run) == {"dataset_group": "failed"}
    log = capfd.readouterr().out
    assert f"Personalize dataset group 'redo-group' already exists ({existing}) with other settings" in log
    lines = log.splitlines()
    assert any(line.split() == ["domain", "|", "VIDEO_ON_DEMAND", "|", "ECOMMERCE"] for line in lines), log[
        -3000:
    ]
    assert len(personalize.list_dataset_groups()["datasetGroups"]) == 1


def test_a_second_interactions_dataset_names_the_dataset_that_holds_the_type(redo_dags, personalize, capfd):
    run = redo_dags.personalize_redo_second_interactions.test(logical_date=LOGICAL_DATE)
    assert task_states(run)["clicks_dataset"] == "failed"
    (dataset,) = personalize.list_datasets()["datasets"]
    log = capfd.readouterr().out
    holder = f"'redo-group-interactions' ({dataset['datasetArn']})"
    assert f"per datasetType and its datasetType {dataset['datasetType']} is taken by {holder}" in log
    assert "choose another name" not in log

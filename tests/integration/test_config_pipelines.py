"""Config-driven DAGs on the HTTP emulator: an MPEML config, as is, becomes a deployment that runs green.

``configs/mpeml-shop.json`` is a config in the format of AWS's MPEML solution: three solutions (one with a
campaign and FULL and UPDATE schedules, one with scheduled batch inference, one with scheduled batch
segment jobs on an item-affinity recipe), an event tracker, two filters, and the data in MPEML's S3 layout:
``train/<group>/interactions.csv`` (a file) and ``train/<group>/items/`` (a folder of parts),
``batch/<group>/<solution>/job_config.json``. The group is first left half-built, as an earlier MPEML run
would leave it (group, interactions dataset, one import); the bootstrap adopts it, a second bootstrap
creates nothing, every scheduled DAG runs green, and the teardown leaves nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Set
from pathlib import Path
from types import ModuleType

import pendulum
import pytest

from demo.run_demo import trust_policy
from tests.personalize_api import create_active

CONFIG = Path(__file__).parent / "configs" / "mpeml-shop.json"
GROUP = "mpeml-shop"
BUCKET = "mpeml-shop-data"
ROLE_NAME = "MpemlShopPersonalize"
# 30 users x 40 items, clicks and some purchases: enough to train (1000 interactions, 25 users with 2+).
INTERACTIONS_CSV = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n" + "".join(
    f"user{user},item{item},{1767225600 + 100 * user + item},{'purchase' if item % 7 == 0 else 'click'}\n"
    for user in range(30)
    for item in range(40)
)
ITEMS_CSV_PARTS = (
    "ITEM_ID,CATEGORY\n" + "".join(f"item{i},shoes\n" for i in range(20)),
    "ITEM_ID,CATEGORY\n" + "".join(f"item{i},hats\n" for i in range(20, 40)),
)
# The group's resources, listed under it (and the account's schemas): what a rerun must not add to.
GROUP_LISTS = {
    "datasets": ("list_datasets", "datasets", "datasetGroupArn"),
    "solutions": ("list_solutions", "solutions", "datasetGroupArn"),
    "filters": ("list_filters", "Filters", "datasetGroupArn"),
    "event_trackers": ("list_event_trackers", "eventTrackers", "datasetGroupArn"),
}


@pytest.fixture
def shop(personalize_emulator_clean) -> dict[str, str]:
    """The emulator's S3 holding the shop's data in MPEML's layout, and the role Personalize assumes."""
    role = personalize_emulator_clean.client("iam").create_role(
        RoleName=ROLE_NAME, AssumeRolePolicyDocument=trust_policy()
    )
    s3 = personalize_emulator_clean.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    files = {
        f"train/{GROUP}/interactions.csv": INTERACTIONS_CSV,
        f"train/{GROUP}/items/part-1.csv": ITEMS_CSV_PARTS[0],
        f"train/{GROUP}/items/part-2.csv": ITEMS_CSV_PARTS[1],
        f"batch/{GROUP}/mpeml-shop-similar/job_config.json": '{"itemId": "item1"}\n{"itemId": "item2"}\n',
        f"batch/{GROUP}/mpeml-shop-audiences/job_config.json": '{"itemId": "item3"}\n',
    }
    for key, body in files.items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=body.encode())
    return {"role_arn": role["Role"]["Arn"]}


@pytest.fixture
def config_dags(
    install_dags: Callable[[Path], ModuleType],
    dags_folder: Path,
    tmp_path: Path,
    shop,
    personalize_aws_conn_id,
) -> ModuleType:
    """A one-line DAG file beside the config, in the DAGs folder: the MPEML config's DAGs."""
    (dags_folder / "mpeml-shop.json").write_text(CONFIG.read_text())
    dag_file = tmp_path / "mpeml_shop_dags.py"
    dag_file.write_text(
        "from airflow_provider_personalize.pipelines import dags_from_config\n\n"
        f"globals().update(dags_from_config('mpeml-shop.json', bucket={BUCKET!r}, "
        f"role_arn={shop['role_arn']!r}, "
        f"aws_conn_id={personalize_aws_conn_id!r}, min_metrics={{'coverage': 0.01}}, "
        "default_args={'waiter_delay': 1}))\n"
    )
    return install_dags(dag_file)


def leave_half_built(personalize, role_arn: str) -> str:
    """What an earlier MPEML run leaves: the group, the interactions schema and dataset, one import (MPEML's
    job name); returns the import job's ARN."""
    config = json.loads(CONFIG.read_text())
    interactions = config["datasets"]["interactions"]
    group_arn = create_active(personalize, "dataset_group", "datasetGroupArn", name=GROUP)
    schema = interactions["schema"]["serviceConfig"]
    schema_arn = personalize.create_schema(name=schema["name"], schema=json.dumps(schema["schema"]))[
        "schemaArn"
    ]
    dataset_arn = create_active(
        personalize,
        "dataset",
        "datasetArn",
        name=interactions["dataset"]["serviceConfig"]["name"],
        schemaArn=schema_arn,
        datasetGroupArn=group_arn,
        datasetType="Interactions",
    )
    job_arn = create_active(
        personalize,
        "dataset_import_job",
        "datasetImportJobArn",
        jobName="dataset_import_interactions_2026_01_01_00_00_00",
        datasetArn=dataset_arn,
        dataSource={"dataLocation": f"s3://{BUCKET}/train/{GROUP}/interactions.csv"},
        roleArn=role_arn,
        importMode="FULL",
    )
    return job_arn


def inventory(personalize) -> dict[str, list[str]]:
    """Every resource of the group, by kind: names, or ARNs for what has no name."""
    (group,) = [g for g in personalize.list_dataset_groups()["datasetGroups"] if g["name"] == GROUP]
    found = {"schemas": sorted(s["name"] for s in personalize.list_schemas()["schemas"])}
    for kind, (method, key, member) in GROUP_LISTS.items():
        found[kind] = sorted(
            summary["name"]
            for summary in getattr(personalize, method)(**{member: group["datasetGroupArn"]})[key]
        )
    datasets = personalize.list_datasets(datasetGroupArn=group["datasetGroupArn"])["datasets"]
    found["imports"] = sorted(
        job["jobName"]
        for dataset in datasets
        for job in personalize.list_dataset_import_jobs(datasetArn=dataset["datasetArn"])["datasetImportJobs"]
    )
    solutions = personalize.list_solutions(datasetGroupArn=group["datasetGroupArn"])["solutions"]
    versions = [
        version["solutionVersionArn"]
        for solution in solutions
        for version in personalize.list_solution_versions(solutionArn=solution["solutionArn"])[
            "solutionVersions"
        ]
    ]
    found["versions"] = sorted(versions)
    found["campaigns"] = sorted(
        campaign["name"]
        for solution in solutions
        for campaign in personalize.list_campaigns(solutionArn=solution["solutionArn"])["campaigns"]
    )
    for kind, method, key in (
        ("batch_inference_jobs", "list_batch_inference_jobs", "batchInferenceJobs"),
        ("batch_segment_jobs", "list_batch_segment_jobs", "batchSegmentJobs"),
    ):
        found[kind] = sorted(
            job["jobName"]
            for version in versions
            for job in getattr(personalize, method)(solutionVersionArn=version)[key]
        )
    return found


def states(run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def run_green(dag, day: int, skipped: Set[str] = frozenset()) -> dict[str, str]:
    """Run ``dag`` for 2026-01-<day> (dag.test); every task succeeds but ``skipped``; returns the XComs."""
    run = dag.test(logical_date=pendulum.datetime(2026, 1, day, tz="UTC"))
    assert run.state == "success", states(run)
    assert {task for task, state in states(run).items() if state != "success"} == skipped, states(run)
    return {ti.task_id: ti.xcom_pull(task_ids=ti.task_id) for ti in run.get_task_instances()}


def test_an_mpeml_config_adopts_its_group_runs_green_to_the_teardown_and_a_rerun_creates_nothing(
    config_dags, shop, personalize_emulator_clean
):
    personalize = personalize_emulator_clean.client("personalize")
    s3 = personalize_emulator_clean.client("s3")
    dags = {
        dag_id.removeprefix(f"{GROUP}_"): dag
        for dag_id, dag in vars(config_dags).items()
        if dag_id.startswith(GROUP)
    }
    assert set(dags) == {
        "bootstrap",
        "import",
        "mpeml-shop-for-you_full",
        "mpeml-shop-for-you_update",
        "mpeml-shop-similar_batch_inference",
        "mpeml-shop-audiences_batch_segment",
        "teardown",
    }
    leave_half_built(personalize, shop["role_arn"])

    # The bootstrap adopts what the earlier run left, whose interactions import is younger than maxAge
    # (30 days): it skips importing them again. A config's DAG file parsed by a fresh process is
    # test_import_cost_in_a_fresh_interpreter.py's; `airflow dags test` itself, test_cli.py's.
    run_green(dags["bootstrap"], 5, skipped={"locate_interactions_data", "import_interactions"})
    created = inventory(personalize)
    assert created["imports"] == [
        "dataset_import_interactions_2026_01_01_00_00_00",  # the earlier one, younger than maxAge (30 days)
        f"{GROUP}_bootstrap-import_items-20260105T000000",  # from the folder of parts
    ]
    assert created["datasets"] == ["mpeml-shop-interactions", "mpeml-shop-items"]
    assert created["schemas"] == ["mpeml-shop-interactions", "mpeml-shop-items"]
    assert created["filters"] == ["mpeml-shop-clicked", "mpeml-shop-not-purchased"]
    assert created["event_trackers"] == ["mpeml-shop-tracker"]
    assert created["campaigns"] == ["mpeml-shop-for-you"]
    assert len(created["versions"]) == 3
    # Both batch jobs have schedules: their first runs are on them.
    assert created["batch_inference_jobs"] == created["batch_segment_jobs"] == []

    # A second bootstrap, another day: everything is adopted, nothing is created.
    import_steps = {"locate_interactions_data", "locate_items_data", "import_interactions", "import_items"}
    run_green(dags["bootstrap"], 6, skipped=import_steps)
    assert inventory(personalize) == created

    # The scheduled DAGs. New interactions arrive: the scheduled import takes them, and only them.
    s3.put_object(Bucket=BUCKET, Key=f"train/{GROUP}/interactions.csv", Body=INTERACTIONS_CSV.encode())
    run_green(dags["import"], 7, skipped={"locate_items_data", "import_items"})
    (campaign,) = personalize.list_campaigns()["campaigns"]
    for mode, day in (("full", 8), ("update", 9)):
        trained = run_green(dags[f"mpeml-shop-for-you_{mode}"], day)["train"]
        version = personalize.describe_solution_version(solutionVersionArn=trained)["solutionVersion"]
        assert version["trainingMode"] == mode.upper()
        served = personalize.describe_campaign(campaignArn=campaign["campaignArn"])["campaign"]
        assert served["solutionVersionArn"] == trained
    # MPEML's layout: batch_<solution>_<time>, written under batch/<group>/<solution>/<job name>/.
    for solution, kind in (
        ("mpeml-shop-similar", "batch_inference"),
        ("mpeml-shop-audiences", "batch_segment"),
    ):
        job_arn = run_green(dags[f"{solution}_{kind}"], 12)[kind]
        job_name = f"batch_{solution}_2026_01_12_00_00_00"
        assert job_arn.endswith(f"/{job_name}")
        written = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"batch/{GROUP}/{solution}/{job_name}/")
        assert written.get("KeyCount", 0) > 0, written

    run_green(dags["teardown"], 13)
    assert [g for g in personalize.list_dataset_groups()["datasetGroups"] if g["name"] == GROUP] == []
    assert personalize.list_schemas()["schemas"] == []

"""The fan-out example DAGs' world in the emulator: per dataset group, its data in S3, and what to check.

``personalize_fanout_bootstrap`` and ``personalize_fanout_nightly_refresh`` read each group's files under
``s3://<bucket>/<prefix>/<group>/``; :func:`prepare_groups` writes them (a small synthetic dataset per
group, different per group); :func:`bootstrapped_groups` creates, through the API, what the bootstrap DAG
leaves in the service (for a test whose subject is the night); :func:`group_inventory` counts what the
service holds per group, to check that nothing was created twice and that every group got its own.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from personalize_emulator.engine.synthetic import generate
from personalize_emulator.harness.pytest_plugin import PersonalizeEmulatorServer

from demo.run_demo import BUCKET, PREFIX, upload
from tests.personalize_api import create_active

# Each group's data: enough for training (1000+ interactions, 25+ users with 2 or more) and a night's
# INCREMENTAL import (1000 records, the service's minimum per import job), small enough to train fast.
USERS, ITEMS, INTERACTIONS = 120, 60, 3000
FANOUT_DAGS = ("personalize_fanout_bootstrap", "personalize_fanout_nightly_refresh")
INTERACTIONS_SCHEMA = Path(__file__).resolve().parents[1] / "example_dags" / "schemas" / "interactions.json"
RECIPE_ARN = "arn:aws:personalize:::recipe/aws-user-personalization-v2"  # the examples' default recipe


def group_names(count: int) -> list[str]:
    return [f"market-{number:02d}" for number in range(count)]


def prepare_groups(server: PersonalizeEmulatorServer, groups: list[str], night: date) -> None:
    """Each group's bootstrap interactions and the night's, under ``<prefix>/<group>/``."""
    files = {}
    for seed, group in enumerate(groups):
        dataset = generate(users=USERS, items=ITEMS, interactions=INTERACTIONS, seed=seed, increments=1)
        files[f"{group}/bootstrap/interactions.csv"] = dataset.interactions_csv
        files[f"{group}/daily/interactions/{night.isoformat()}.csv"] = dataset.increments[0]
    upload(server, files)


def bootstrapped_groups(server: PersonalizeEmulatorServer, groups: list[str], role_arn: str) -> None:
    """What ``personalize_fanout_bootstrap`` leaves for each group, created through the API as it creates it
    (its names, the first FULL import of the group's bootstrap file, a first version, a campaign serving
    it), the groups side by side; returns when every campaign is ACTIVE."""
    personalize = server.client("personalize")
    schema_arn = personalize.create_schema(
        name="personalize-fanout-interactions", schema=INTERACTIONS_SCHEMA.read_text()
    )["schemaArn"]

    def bootstrap(group: str) -> None:
        group_arn = create_active(personalize, "dataset_group", "datasetGroupArn", name=group)
        dataset_arn = create_active(
            personalize,
            "dataset",
            "datasetArn",
            name=f"{group}-interactions",
            schemaArn=schema_arn,
            datasetGroupArn=group_arn,
            datasetType="Interactions",
        )
        create_active(
            personalize,
            "dataset_import_job",
            "datasetImportJobArn",
            jobName=f"{group}-bootstrap-import",
            datasetArn=dataset_arn,
            dataSource={"dataLocation": f"s3://{BUCKET}/{PREFIX}/{group}/bootstrap/interactions.csv"},
            roleArn=role_arn,
            importMode="FULL",
        )
        solution_arn = create_active(
            personalize,
            "solution",
            "solutionArn",
            name=f"{group}-solution",
            datasetGroupArn=group_arn,
            recipeArn=RECIPE_ARN,
            performAutoTraining=False,
        )
        version_arn = create_active(
            personalize,
            "solution_version",
            "solutionVersionArn",
            solutionArn=solution_arn,
            trainingMode="FULL",
        )
        create_active(
            personalize,
            "campaign",
            "campaignArn",
            name=f"{group}-campaign",
            solutionVersionArn=version_arn,
            minProvisionedTPS=1,
        )

    # Creates past a quota (5 imports in progress) are refused: as many groups at once as the quota allows.
    with ThreadPoolExecutor(max_workers=5) as pool:
        list(pool.map(bootstrap, groups))


def group_inventory(server: PersonalizeEmulatorServer, group_name: str) -> dict[str, Any]:
    """What the service holds under one dataset group: its resources' names, by kind."""
    personalize = server.client("personalize")
    (group,) = [
        found for found in personalize.list_dataset_groups()["datasetGroups"] if found["name"] == group_name
    ]
    group_arn = group["datasetGroupArn"]
    (dataset,) = personalize.list_datasets(datasetGroupArn=group_arn)["datasets"]
    (solution,) = personalize.list_solutions(datasetGroupArn=group_arn)["solutions"]
    campaigns = personalize.list_campaigns(solutionArn=solution["solutionArn"])["campaigns"]
    return {
        "arn": group_arn,
        "dataset": dataset["datasetArn"],
        "solution": solution["solutionArn"],
        "campaigns": [campaign["campaignArn"] for campaign in campaigns],
        "imports": sorted(
            job["jobName"]
            for job in personalize.list_dataset_import_jobs(datasetArn=dataset["datasetArn"])[
                "datasetImportJobs"
            ]
        ),
        "versions": sorted(
            version["solutionVersionArn"]
            for version in personalize.list_solution_versions(solutionArn=solution["solutionArn"])[
                "solutionVersions"
            ]
        ),
        "exports": sorted(
            job["datasetExportJobArn"]
            for job in personalize.list_dataset_export_jobs(datasetArn=dataset["datasetArn"])[
                "datasetExportJobs"
            ]
        ),
    }

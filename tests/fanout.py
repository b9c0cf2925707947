"""The fan-out example DAGs' world in the emulator: per dataset group, its data in S3, and what to check.

``personalize_fanout_bootstrap`` and ``personalize_fanout_nightly_refresh`` read each group's files under
``s3://<bucket>/<prefix>/<group>/``; :func:`prepare_groups` writes them (a small synthetic dataset per
group, different per group), and :func:`group_inventory` counts what the service holds per group, to
check that nothing was created twice and that every group got its own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from personalize_emulator.engine.synthetic import generate
from personalize_emulator.harness.pytest_plugin import PersonalizeEmulatorServer

from demo.run_demo import upload

# Each group's data: enough for training (1000+ interactions, 25+ users with 2 or more) and a night's
# INCREMENTAL import (1000 records, the service's minimum per import job), small enough to train fast.
USERS, ITEMS, INTERACTIONS = 120, 60, 3000
FANOUT_DAGS = ("personalize_fanout_bootstrap", "personalize_fanout_nightly_refresh")


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

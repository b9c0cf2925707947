"""The steps of config-built DAGs that are not one Personalize request: finding what exists, deciding whether
to import, and which model to use. All of them run in a task; nothing here calls AWS while a DAG is parsed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from airflow.providers.common.compat.sdk import AirflowFailException, AirflowSkipException
from airflow.sdk import task

from airflow_provider_personalize.hooks.personalize import PersonalizeHook
from airflow_provider_personalize.operators.personalize import PersonalizeCreateSolutionVersionOperator
from airflow_provider_personalize.resources import (
    CAMPAIGN,
    DATASET,
    DATASET_GROUP,
    DATASET_IMPORT_JOB,
    SOLUTION_VERSION,
    get_kind,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

# Summaries without a time sort first (oldest).
_LONG_AGO = datetime.min.replace(tzinfo=UTC)


@task
def find_resources(
    dataset_group_name: str, wanted: Sequence[str], aws_conn_id: str | None, region_name: str | None
) -> dict[str, str]:
    """The ARNs of the deployment's resources by ``<kind>/<name>`` (``dataset/<type>`` for datasets), and
    its group's as ``dataset_group``: what scheduled DAGs work on. Fails, naming what is missing, before the
    bootstrap DAG has created them."""
    hook = PersonalizeHook(aws_conn_id=aws_conn_id, region_name=region_name)
    group = hook.find_by_name(DATASET_GROUP, dataset_group_name)
    if group is None:
        raise AirflowFailException(
            f"Personalize dataset group {dataset_group_name!r} not found: "
            f"run {dataset_group_name}_bootstrap first"
        )
    group_arn = group[DATASET_GROUP.arn_member]
    datasets = {
        summary["datasetType"].lower(): summary[DATASET.arn_member]
        for summary in hook.list_summaries(DATASET, group_arn)
        if "datasetType" in summary
    }
    found, missing = {"dataset_group": group_arn}, []
    for key in wanted:
        kind_key, _, name = key.partition("/")
        if kind_key == DATASET.key:
            arn = datasets.get(name.lower())
        else:
            kind = get_kind(kind_key)
            held_by_group = kind.contained_in is DATASET_GROUP
            resource = hook.find_by_name(kind, name, group_arn if held_by_group else None)
            arn = resource[kind.arn_member] if resource else None
        if arn is None:
            missing.append(key)
        else:
            found[key] = arn
    if missing:
        raise AirflowFailException(
            f"Not found in dataset group {dataset_group_name!r}: {', '.join(missing)}; "
            f"run {dataset_group_name}_bootstrap first"
        )
    return found


@task
def import_source(
    dataset_arn: str,
    locations: Sequence[str],
    optional: bool,
    max_age_seconds: float | None,
    aws_conn_id: str | None,
    region_name: str | None,
) -> str:
    """The location to import into the dataset: the first of ``locations`` holding data.

    Skips the import (AirflowSkipException, saying why) when no location holds data and that is allowed,
    when the dataset's last ACTIVE import is younger than ``max_age_seconds``, or when it imported the same
    location and no data there is newer (MPEML's rule for reusing imports, ``Personalize.is_current``).
    """
    found = _newest_data(locations, aws_conn_id, region_name)
    if found is None:
        message = f"No data at {' nor '.join(locations)}"
        if optional:
            raise AirflowSkipException(f"{message}: nothing to import")
        raise AirflowFailException(f"{message}: upload the data, then clear this task")
    location, modified = found
    if max_age_seconds is None:
        return location
    hook = PersonalizeHook(aws_conn_id=aws_conn_id, region_name=region_name)
    kind = DATASET_IMPORT_JOB
    active = [s for s in hook.list_summaries(kind, dataset_arn) if s.get("status") == "ACTIVE"]
    if not active:
        return location
    last = max(active, key=lambda summary: summary.get("lastUpdatedDateTime", _LONG_AGO))
    imported_at = last.get("lastUpdatedDateTime", _LONG_AGO)
    age = datetime.now(UTC) - imported_at
    if age <= timedelta(seconds=max_age_seconds):
        raise AirflowSkipException(
            f"{dataset_arn} was imported {age} ago by {last[kind.arn_member]}, within the reuse age "
            f"of {timedelta(seconds=max_age_seconds)}: not importing again"
        )
    # New data at the same place, or data at a new place (a day's file), is imported.
    imported_from = hook.describe(kind, last[kind.arn_member]).get("dataSource", {}).get("dataLocation")
    if imported_from == location and modified <= imported_at:
        raise AirflowSkipException(
            f"No data at {location} is newer than its last import, {last[kind.arn_member]}"
        )
    return location


def _newest_data(
    locations: Sequence[str], aws_conn_id: str | None, region_name: str | None
) -> tuple[str, datetime] | None:
    """The first location holding data (a folder: some ``.csv`` under it), with its newest object's time."""
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    s3 = S3Hook(aws_conn_id=aws_conn_id, region_name=region_name)
    for location in locations:
        bucket, key = S3Hook.parse_s3_url(location)
        if key.endswith("/") or not key:
            objects = [
                entry
                for page in s3.get_conn().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key)
                for entry in page.get("Contents", [])
                if entry["Key"].endswith(".csv")
            ]
            if objects:
                return location, max(entry["LastModified"] for entry in objects)
        else:
            head = s3.head_object(key, bucket)
            if head is not None:
                return location, head["LastModified"]
    return None


@task
def serving_version(
    solution_arn: str, campaign_arn: str | None, aws_conn_id: str | None, region_name: str | None
) -> str:
    """The model batch jobs use: the one the solution's campaign serves, or the newest ACTIVE version."""
    hook = PersonalizeHook(aws_conn_id=aws_conn_id, region_name=region_name)
    if campaign_arn:
        served = hook.describe(CAMPAIGN, campaign_arn).get(SOLUTION_VERSION.arn_member)
        if served:
            return served
    newest = newest_active_version(hook, solution_arn, None)
    if newest is None:
        raise AirflowFailException(f"Solution {solution_arn} has no ACTIVE version: train one first")
    return newest


def newest_active_version(hook: PersonalizeHook, solution_arn: str, max_age: timedelta | None) -> str | None:
    """The ARN of the solution's newest ACTIVE version (created within ``max_age``, if given), or None."""
    kind = SOLUTION_VERSION
    active = [s for s in hook.list_summaries(kind, solution_arn) if s.get("status") == "ACTIVE"]
    if max_age is not None:
        oldest = datetime.now(UTC) - max_age
        active = [s for s in active if s.get("creationDateTime", _LONG_AGO) >= oldest]
    if not active:
        return None
    return max(active, key=lambda summary: summary.get("creationDateTime", _LONG_AGO))[kind.arn_member]


class PersonalizeBootstrapSolutionVersionOperator(PersonalizeCreateSolutionVersionOperator):
    """
    The model a deployment's bootstrap gives a solution: an existing one where the config allows, else new.

    :param policy: ``"reuse"``: adopt the version ``campaign_name`` serves, else the newest ACTIVE version
        created within ``max_age``, else train; ``"always"``: train; ``"never"``: adopt the served or newest
        ACTIVE version, and fail if there is none.
    :param max_age: How old a version ``"reuse"`` adopts may be.
    :param campaign_name: The solution's campaign, whose model a rerun keeps (so that it never asks the
        campaign to serve another one).

    Takes the arguments of :class:`PersonalizeCreateSolutionVersionOperator`; returns the version's ARN.
    """

    def __init__(
        self,
        *,
        policy: Literal["reuse", "always", "never"],
        max_age: timedelta,
        campaign_name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.policy = policy
        self.max_age = max_age
        self.campaign_name = campaign_name

    def execute(self, context: Context) -> str:
        if self.policy != "always":
            adopted = self.served_version() or newest_active_version(
                self.hook, self.solution_arn, self.max_age if self.policy == "reuse" else None
            )
            if adopted:
                self.log.info("Using %s, the newest ACTIVE version of %s", adopted, self.solution_arn)
                return adopted
            if self.policy == "never":
                raise AirflowFailException(
                    f"Solution {self.solution_arn} has no ACTIVE version, and the config does not create one"
                )
        return super().execute(context)

    def served_version(self) -> str | None:
        if not self.campaign_name:
            return None
        campaign = self.hook.find_by_name(CAMPAIGN, self.campaign_name, self.solution_arn)
        return campaign.get(SOLUTION_VERSION.arn_member) if campaign else None

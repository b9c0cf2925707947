"""Operators for Amazon Personalize: one typed declaration per request, and the metrics gate.

Each create or update operator is a declaration of one API request on a machine of
:mod:`airflow_provider_personalize.operators._base` (:class:`PersonalizeCreateBaseOperator`,
:class:`PersonalizeUpdateBaseOperator`): its keyword arguments are the API's members in snake_case
(``dataSource`` -> ``data_source``), so the AWS API reference is the operator reference. The delete
operators declare their parameters on :class:`PersonalizeDeleteBaseOperator`.

DAG-parse cost: this module imports only Airflow, the amazon provider's base classes and the table of
resource kinds. botocore's service model is loaded, and the trigger imported, when a task runs.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.providers.amazon.aws.operators.base_aws import AwsBaseOperator
from airflow.providers.amazon.aws.utils.mixins import aws_template_fields
from airflow.providers.common.compat.sdk import AirflowFailException, AirflowSkipException

from airflow_provider_personalize.hooks.personalize import PersonalizeHook
from airflow_provider_personalize.links.personalize import PersonalizeResourceLink
from airflow_provider_personalize.operators._base import (
    PersonalizeCreateBaseOperator,
    PersonalizeDeleteBaseOperator,
    PersonalizeUpdateBaseOperator,
)
from airflow_provider_personalize.resources import (
    BATCH_INFERENCE_JOB,
    BATCH_SEGMENT_JOB,
    CAMPAIGN,
    CAMPAIGN_UPDATE,
    DATA_DELETION_JOB,
    DATASET,
    DATASET_EXPORT_JOB,
    DATASET_GROUP,
    DATASET_IMPORT_JOB,
    EVENT_TRACKER,
    FILTER,
    METRIC_ATTRIBUTION,
    RECOMMENDER,
    RESOURCE_KINDS,
    SCHEMA,
    SOLUTION,
    SOLUTION_UPDATE,
    SOLUTION_VERSION,
    ResourceKind,
    get_waitable_kind,
)

if TYPE_CHECKING:
    from airflow.sdk import Context

S3Uri = str
"""An ``s3://bucket/key`` URI, or the API's structure around it."""
Tags = Mapping[str, str] | list[dict[str, str]]
"""Tags as ``{key: value}`` or the API's ``[{"tagKey": ..., "tagValue": ...}]``."""


class PersonalizeCreateDatasetGroupOperator(PersonalizeCreateBaseOperator):
    """
    Create a dataset group, the container of a use case's datasets, models and campaigns.

    :param name: The dataset group's name. (templated)
    :param role_arn: IAM role with access to the KMS key; only with ``kms_key_arn``. (templated)
    :param kms_key_arn: KMS key that encrypts the datasets. (templated)
    :param domain: ``ECOMMERCE`` or ``VIDEO_ON_DEMAND`` for a domain dataset group (recommenders);
        omit for a custom one (solutions and campaigns). (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateBaseOperator`; returns the ARN.
    """

    resource_kind = DATASET_GROUP
    request_parameters = ("name", "role_arn", "kms_key_arn", "domain", "tags")
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)

    def __init__(
        self,
        *,
        name: str,
        role_arn: str | None = None,
        kms_key_arn: str | None = None,
        domain: str | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.role_arn = role_arn
        self.kms_key_arn = kms_key_arn
        self.domain = domain
        self.tags = tags


class PersonalizeCreateSchemaOperator(PersonalizeCreateBaseOperator):
    """
    Create a schema: the Avro record that describes a dataset's columns.

    :param name: The schema's name. (templated)
    :param schema: The Avro schema, as JSON text or as a dict. (templated)
    :param domain: ``ECOMMERCE`` or ``VIDEO_ON_DEMAND`` for a domain dataset group's dataset. (templated)

    Also takes the arguments of :class:`PersonalizeCreateBaseOperator`; returns the ARN.
    A schema is created at once: there is nothing to wait for.
    """

    resource_kind = SCHEMA
    request_parameters = ("name", "schema", "domain")
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)
    template_fields_renderers: ClassVar[dict[str, str]] = {"schema": "json"}

    def __init__(
        self,
        *,
        name: str,
        schema: str | dict[str, Any],
        domain: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.schema = schema
        self.domain = domain


class PersonalizeCreateDatasetOperator(PersonalizeCreateBaseOperator):
    """
    Create an empty dataset of one type in a dataset group.

    :param name: The dataset's name. (templated)
    :param schema_arn: ARN of the schema of its columns. (templated)
    :param dataset_group_arn: ARN of the dataset group it belongs to. (templated)
    :param dataset_type: ``Interactions``, ``Items``, ``Users``, ``Actions`` or ``Action_Interactions``.
        (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateBaseOperator`; returns the ARN.
    """

    resource_kind = DATASET
    request_parameters = ("name", "schema_arn", "dataset_group_arn", "dataset_type", "tags")
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)

    def __init__(
        self,
        *,
        name: str,
        schema_arn: str,
        dataset_group_arn: str,
        dataset_type: str,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.schema_arn = schema_arn
        self.dataset_group_arn = dataset_group_arn
        self.dataset_type = dataset_type
        self.tags = tags


class PersonalizeCreateDatasetImportJobOperator(PersonalizeCreateBaseOperator):
    """
    Import CSV data from S3 into a dataset.

    :param dataset_arn: ARN of the dataset to fill. (templated)
    :param data_source: The CSV file or folder (a prefix ending in ``/``), as an ``s3://`` URI or the
        API's ``{"dataLocation": ...}``. (templated)
    :param job_name: The job's name. (default: derived from the DAG, task and logical date, so that a
        retry or rerun of a run reuses its job and a new run imports anew) (templated)
    :param role_arn: IAM role Personalize assumes to read the bucket. (templated)
    :param import_mode: ``FULL`` (replace the bulk data; the first import must be FULL) or
        ``INCREMENTAL`` (append, replacing records with the same id). (templated)
    :param publish_attribution_metrics_to_s3: Publish the metrics of the dataset group's metric
        attribution to S3. (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateBaseOperator`; returns the ARN.
    """

    resource_kind = DATASET_IMPORT_JOB
    request_parameters = (
        "dataset_arn",
        "data_source",
        "job_name",
        "role_arn",
        "import_mode",
        "publish_attribution_metrics_to_s3",
        "tags",
    )
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)

    def __init__(
        self,
        *,
        dataset_arn: str,
        data_source: S3Uri | dict[str, Any],
        job_name: str | None = None,
        role_arn: str | None = None,
        import_mode: str | None = None,
        publish_attribution_metrics_to_s3: bool | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.dataset_arn = dataset_arn
        self.data_source = data_source
        self.job_name = job_name
        self.role_arn = role_arn
        self.import_mode = import_mode
        self.publish_attribution_metrics_to_s3 = publish_attribution_metrics_to_s3
        self.tags = tags


class PersonalizeCreateDatasetExportJobOperator(PersonalizeCreateBaseOperator):
    """
    Export a dataset's records to S3 as CSV files.

    :param dataset_arn: ARN of the dataset to export. (templated)
    :param role_arn: IAM role Personalize assumes to write the bucket. (templated)
    :param job_output: Where to write, as an ``s3://`` URI (a prefix) or the API's
        ``{"s3DataDestination": {"path": ..., "kmsKeyArn": ...}}``. (templated)
    :param job_name: The job's name. (default: derived from the DAG, task and logical date) (templated)
    :param ingestion_mode: ``BULK`` (imported data), ``PUT`` (data sent record by record; the service's
        default) or ``ALL``. (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateBaseOperator`; returns the ARN.
    """

    resource_kind = DATASET_EXPORT_JOB
    request_parameters = ("dataset_arn", "role_arn", "job_output", "job_name", "ingestion_mode", "tags")
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)

    def __init__(
        self,
        *,
        dataset_arn: str,
        role_arn: str,
        job_output: S3Uri | dict[str, Any],
        job_name: str | None = None,
        ingestion_mode: str | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.dataset_arn = dataset_arn
        self.role_arn = role_arn
        self.job_output = job_output
        self.job_name = job_name
        self.ingestion_mode = ingestion_mode
        self.tags = tags


class PersonalizeCreateDataDeletionJobOperator(PersonalizeCreateBaseOperator):
    """
    Delete users' data from every dataset of a dataset group (a CSV of USER_IDs in S3).

    The service can take up to a day; the default wait allows for that.

    :param dataset_group_arn: ARN of the dataset group. (templated)
    :param data_source: The CSV with a single USER_ID column, as an ``s3://`` URI or the API's
        ``{"dataLocation": ...}``. (templated)
    :param role_arn: IAM role Personalize assumes to read the bucket. (templated)
    :param job_name: The job's name. (default: derived from the DAG, task and logical date) (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateBaseOperator`; returns the ARN.
    """

    resource_kind = DATA_DELETION_JOB
    request_parameters = ("dataset_group_arn", "data_source", "role_arn", "job_name", "tags")
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)

    def __init__(
        self,
        *,
        dataset_group_arn: str,
        data_source: S3Uri | dict[str, Any],
        role_arn: str,
        job_name: str | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.dataset_group_arn = dataset_group_arn
        self.data_source = data_source
        self.role_arn = role_arn
        self.job_name = job_name
        self.tags = tags


class PersonalizeCreateSolutionOperator(PersonalizeCreateBaseOperator):
    """
    Create a solution: the recipe and configuration that solution versions are trained with.

    .. warning::
        ``perform_auto_training`` defaults to True *in the service*: unless it is set to False, Personalize
        trains a new solution version every 7 days (``solution_config.autoTrainingConfig``), and each
        training is billed. A pipeline that trains on its own schedule usually wants False.

    :param name: The solution's name. (templated)
    :param dataset_group_arn: ARN of the dataset group to train on. (templated)
    :param recipe_arn: ARN of the recipe (e.g. ``arn:aws:personalize:::recipe/aws-user-personalization``).
        (templated)
    :param perform_auto_training: Whether the service retrains automatically. (the service's default: True,
        see the warning above) (templated)
    :param perform_hpo: Whether to tune the recipe's hyperparameters. (templated)
    :param perform_auto_ml: Whether to choose the recipe automatically (deprecated by AWS). (templated)
    :param perform_incremental_update: Whether to update the model incrementally with new data. (templated)
    :param event_type: Train only on interactions of this event type. (templated)
    :param solution_config: The API's SolutionConfig (hyperparameters, training config, ...). (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateBaseOperator`; returns the ARN.
    """

    resource_kind = SOLUTION
    request_parameters = (
        "name",
        "dataset_group_arn",
        "recipe_arn",
        "perform_auto_training",
        "perform_hpo",
        "perform_auto_ml",
        "perform_incremental_update",
        "event_type",
        "solution_config",
        "tags",
    )
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)
    template_fields_renderers: ClassVar[dict[str, str]] = {"solution_config": "json"}

    def __init__(
        self,
        *,
        name: str,
        dataset_group_arn: str,
        recipe_arn: str | None = None,
        perform_auto_training: bool | None = None,
        perform_hpo: bool | None = None,
        perform_auto_ml: bool | None = None,
        perform_incremental_update: bool | None = None,
        event_type: str | None = None,
        solution_config: dict[str, Any] | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.dataset_group_arn = dataset_group_arn
        self.recipe_arn = recipe_arn
        self.perform_auto_training = perform_auto_training
        self.perform_hpo = perform_hpo
        self.perform_auto_ml = perform_auto_ml
        self.perform_incremental_update = perform_incremental_update
        self.event_type = event_type
        self.solution_config = solution_config
        self.tags = tags


class PersonalizeCreateSolutionVersionOperator(PersonalizeCreateBaseOperator):
    """
    Train a solution version (a model). Training takes from tens of minutes to hours.

    The default wait polls every minute for up to a day; in deferrable mode the triggerer waits
    instead of a worker. Killing the task (in blocking mode) stops the training
    (StopSolutionVersionCreation), so a cancelled run does not keep paying for it.

    :param solution_arn: ARN of the solution to train. (templated)
    :param name: The version's name. (default: derived from the DAG, task and logical date, so that a
        retry or rerun of a run reuses its training and a new run trains anew) (templated)
    :param training_mode: ``FULL`` (train on all data), ``UPDATE`` (update the model with new items and
        interactions) or ``AUTOTRAIN``. (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateBaseOperator`; returns the ARN.
    """

    resource_kind = SOLUTION_VERSION
    request_parameters = ("solution_arn", "name", "training_mode", "tags")
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)

    def __init__(
        self,
        *,
        solution_arn: str,
        name: str | None = None,
        training_mode: str | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.solution_arn = solution_arn
        self.name = name
        self.training_mode = training_mode
        self.tags = tags


class PersonalizeCreateCampaignOperator(PersonalizeCreateBaseOperator):
    """
    Deploy a solution version as a campaign that serves real-time recommendations.

    :param name: The campaign's name. (templated)
    :param solution_version_arn: ARN of the solution version to serve. (templated)
    :param min_provisioned_tps: Transactions per second always provisioned (and billed). (templated)
    :param campaign_config: The API's CampaignConfig (item exploration, metadata, auto-sync). (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateBaseOperator`; returns the ARN.
    """

    resource_kind = CAMPAIGN
    request_parameters = ("name", "solution_version_arn", "min_provisioned_tps", "campaign_config", "tags")
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)

    def __init__(
        self,
        *,
        name: str,
        solution_version_arn: str,
        min_provisioned_tps: int | None = None,
        campaign_config: dict[str, Any] | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.solution_version_arn = solution_version_arn
        self.min_provisioned_tps = min_provisioned_tps
        self.campaign_config = campaign_config
        self.tags = tags


class PersonalizeCreateBatchInferenceJobOperator(PersonalizeCreateBaseOperator):
    """
    Score users (or items) in batch with a solution version: JSON lines in, JSON lines out, in S3.

    :param solution_version_arn: ARN of the solution version. (templated)
    :param job_input: The input file, as an ``s3://`` URI or the API's ``{"s3DataSource": {...}}``.
        (templated)
    :param job_output: The output prefix, as an ``s3://`` URI or the API's
        ``{"s3DataDestination": {...}}``. (templated)
    :param role_arn: IAM role Personalize assumes to read and write the buckets. (templated)
    :param job_name: The job's name. (default: derived from the DAG, task and logical date) (templated)
    :param filter_arn: ARN of a filter applied to the recommendations. (templated)
    :param num_results: Recommendations per input line. (templated)
    :param batch_inference_job_config: The API's BatchInferenceJobConfig. (templated)
    :param batch_inference_job_mode: ``BATCH_INFERENCE`` or ``THEME_GENERATION``. (templated)
    :param theme_generation_config: The API's ThemeGenerationConfig (with THEME_GENERATION). (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateBaseOperator`; returns the ARN.
    """

    resource_kind = BATCH_INFERENCE_JOB
    request_parameters = (
        "solution_version_arn",
        "job_input",
        "job_output",
        "role_arn",
        "job_name",
        "filter_arn",
        "num_results",
        "batch_inference_job_config",
        "batch_inference_job_mode",
        "theme_generation_config",
        "tags",
    )
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)

    def __init__(
        self,
        *,
        solution_version_arn: str,
        job_input: S3Uri | dict[str, Any],
        job_output: S3Uri | dict[str, Any],
        role_arn: str,
        job_name: str | None = None,
        filter_arn: str | None = None,
        num_results: int | None = None,
        batch_inference_job_config: dict[str, Any] | None = None,
        batch_inference_job_mode: str | None = None,
        theme_generation_config: dict[str, Any] | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.solution_version_arn = solution_version_arn
        self.job_input = job_input
        self.job_output = job_output
        self.role_arn = role_arn
        self.job_name = job_name
        self.filter_arn = filter_arn
        self.num_results = num_results
        self.batch_inference_job_config = batch_inference_job_config
        self.batch_inference_job_mode = batch_inference_job_mode
        self.theme_generation_config = theme_generation_config
        self.tags = tags


class PersonalizeCreateBatchSegmentJobOperator(PersonalizeCreateBaseOperator):
    """
    Find, in batch, the users most likely to interact with given items (user segments).

    :param solution_version_arn: ARN of a solution version trained with an item-affinity or
        item-attribute-affinity recipe. (templated)
    :param job_input: The input file, as an ``s3://`` URI or the API's ``{"s3DataSource": {...}}``.
        (templated)
    :param job_output: The output prefix, as an ``s3://`` URI or the API's
        ``{"s3DataDestination": {...}}``. (templated)
    :param role_arn: IAM role Personalize assumes to read and write the buckets. (templated)
    :param job_name: The job's name. (default: derived from the DAG, task and logical date) (templated)
    :param filter_arn: ARN of a filter applied to the segments. (templated)
    :param num_results: Users per segment. (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateBaseOperator`; returns the ARN.
    """

    resource_kind = BATCH_SEGMENT_JOB
    request_parameters = (
        "solution_version_arn",
        "job_input",
        "job_output",
        "role_arn",
        "job_name",
        "filter_arn",
        "num_results",
        "tags",
    )
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)

    def __init__(
        self,
        *,
        solution_version_arn: str,
        job_input: S3Uri | dict[str, Any],
        job_output: S3Uri | dict[str, Any],
        role_arn: str,
        job_name: str | None = None,
        filter_arn: str | None = None,
        num_results: int | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.solution_version_arn = solution_version_arn
        self.job_input = job_input
        self.job_output = job_output
        self.role_arn = role_arn
        self.job_name = job_name
        self.filter_arn = filter_arn
        self.num_results = num_results
        self.tags = tags


class PersonalizeCreateRecommenderOperator(PersonalizeCreateBaseOperator):
    """
    Create a recommender for a use case of a domain dataset group (training and serving in one).

    :param name: The recommender's name. (templated)
    :param dataset_group_arn: ARN of a domain dataset group. (templated)
    :param recipe_arn: ARN of the use case's recipe (e.g.
        ``arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you``). (templated)
    :param recommender_config: The API's RecommenderConfig. (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateBaseOperator`; returns the ARN.
    """

    resource_kind = RECOMMENDER
    request_parameters = ("name", "dataset_group_arn", "recipe_arn", "recommender_config", "tags")
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)

    def __init__(
        self,
        *,
        name: str,
        dataset_group_arn: str,
        recipe_arn: str,
        recommender_config: dict[str, Any] | None = None,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.dataset_group_arn = dataset_group_arn
        self.recipe_arn = recipe_arn
        self.recommender_config = recommender_config
        self.tags = tags


class PersonalizeCreateFilterOperator(PersonalizeCreateBaseOperator):
    """
    Create a filter that includes or excludes items or users from recommendations.

    :param name: The filter's name. (templated)
    :param dataset_group_arn: ARN of the dataset group. (templated)
    :param filter_expression: The filter, e.g.
        ``EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")``. (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateBaseOperator`; returns the ARN.
    """

    resource_kind = FILTER
    request_parameters = ("name", "dataset_group_arn", "filter_expression", "tags")
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)

    def __init__(
        self,
        *,
        name: str,
        dataset_group_arn: str,
        filter_expression: str,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.dataset_group_arn = dataset_group_arn
        self.filter_expression = filter_expression
        self.tags = tags


class PersonalizeCreateEventTrackerOperator(PersonalizeCreateBaseOperator):
    """
    Create the event tracker that receives a dataset group's real-time events (PutEvents).

    :param name: The event tracker's name. (templated)
    :param dataset_group_arn: ARN of the dataset group (one event tracker per group). (templated)
    :param tags: Tags, as a dict or the API's list. (templated)

    Also takes the arguments of :class:`PersonalizeCreateBaseOperator`; returns the ARN.
    """

    resource_kind = EVENT_TRACKER
    request_parameters = ("name", "dataset_group_arn", "tags")
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)

    def __init__(
        self,
        *,
        name: str,
        dataset_group_arn: str,
        tags: Tags | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.dataset_group_arn = dataset_group_arn
        self.tags = tags


class PersonalizeCreateMetricAttributionOperator(PersonalizeCreateBaseOperator):
    """
    Create a metric attribution: reports on the events that recommendations drive.

    :param name: The metric attribution's name. (templated)
    :param dataset_group_arn: ARN of the dataset group. (templated)
    :param metrics: The API's list of ``{"eventType", "metricName", "expression"}``. (templated)
    :param metrics_output_config: The API's MetricAttributionOutput (``roleArn`` and an optional
        ``s3DataDestination``). (templated)

    Also takes the arguments of :class:`PersonalizeCreateBaseOperator`; returns the ARN.
    """

    resource_kind = METRIC_ATTRIBUTION
    request_parameters = ("name", "dataset_group_arn", "metrics", "metrics_output_config")
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)

    def __init__(
        self,
        *,
        name: str,
        dataset_group_arn: str,
        metrics: list[dict[str, str]],
        metrics_output_config: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.dataset_group_arn = dataset_group_arn
        self.metrics = metrics
        self.metrics_output_config = metrics_output_config


class PersonalizeUpdateCampaignOperator(PersonalizeUpdateBaseOperator):
    """
    Deploy a solution version to a campaign (or change its capacity or configuration), then wait.

    Waits for the campaign's ``latestCampaignUpdate``; the campaign keeps serving its current version until
    the update is active. A campaign already serving that version with those settings is left alone (no
    request, logged), and a retry while this task's update is in progress waits for it instead of sending
    another: see :class:`PersonalizeUpdateBaseOperator`.

    :param campaign_arn: ARN of the campaign. (templated)
    :param solution_version_arn: ARN of the solution version to serve, a version of the campaign's
        solution. (templated)
    :param min_provisioned_tps: Transactions per second always provisioned (and billed). (templated)
    :param campaign_config: The API's CampaignConfig (item exploration, metadata, auto-sync). (templated)

    Also takes the arguments of :class:`PersonalizeUpdateBaseOperator`; returns the campaign ARN.
    """

    resource_kind = CAMPAIGN_UPDATE
    request_parameters = ("campaign_arn", "solution_version_arn", "min_provisioned_tps", "campaign_config")
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)

    def __init__(
        self,
        *,
        campaign_arn: str,
        solution_version_arn: str | None = None,
        min_provisioned_tps: int | None = None,
        campaign_config: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.campaign_arn = campaign_arn
        self.solution_version_arn = solution_version_arn
        self.min_provisioned_tps = min_provisioned_tps
        self.campaign_config = campaign_config


class PersonalizeUpdateSolutionOperator(PersonalizeUpdateBaseOperator):
    """
    Change a solution's automatic training or incremental updates, then wait for ``latestSolutionUpdate``.

    A solution that already has those settings is left alone, and a retry waits for its own update in
    progress: see :class:`PersonalizeUpdateBaseOperator`.

    :param solution_arn: ARN of the solution. (templated)
    :param perform_auto_training: Whether the service trains a new version automatically (every 7 days
        unless ``solution_update_config.autoTrainingConfig`` says otherwise; each training is billed).
        (templated)
    :param perform_incremental_update: Whether the model is updated incrementally with new data.
        (templated)
    :param solution_update_config: The API's SolutionUpdateConfig (``autoTrainingConfig``,
        ``eventsConfig``). (templated)

    Also takes the arguments of :class:`PersonalizeUpdateBaseOperator`; returns the solution ARN.
    """

    resource_kind = SOLUTION_UPDATE
    request_parameters = (
        "solution_arn",
        "perform_auto_training",
        "perform_incremental_update",
        "solution_update_config",
    )
    template_fields: Sequence[str] = aws_template_fields(*request_parameters)

    def __init__(
        self,
        *,
        solution_arn: str,
        perform_auto_training: bool | None = None,
        perform_incremental_update: bool | None = None,
        solution_update_config: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.solution_arn = solution_arn
        self.perform_auto_training = perform_auto_training
        self.perform_incremental_update = perform_incremental_update
        self.solution_update_config = solution_update_config


# The offline metrics GetSolutionMetrics reports, as "Evaluating a solution version with metrics"
# documents them (https://docs.aws.amazon.com/personalize/latest/dg/working-with-training-metrics.html),
# all higher is better: coverage, mean reciprocal rank at 25, NDCG and precision at 5, 10 and 25;
# average_rewards_at_k for a solution with an optimization objective; hits and recall at 1 % for
# USER_SEGMENTATION recipes. Other recipes (Next-Best-Action, Trending-Now) report metrics of their own, so
# a threshold may name any metric: one outside this list is logged, and fails the gate if the version does
# not report it, with the metrics it does report.
SOLUTION_METRICS = frozenset(
    {
        "coverage",
        "mean_reciprocal_rank_at_25",
        "normalized_discounted_cumulative_gain_at_5",
        "normalized_discounted_cumulative_gain_at_10",
        "normalized_discounted_cumulative_gain_at_25",
        "precision_at_5",
        "precision_at_10",
        "precision_at_25",
        "average_rewards_at_k",
        "hits_at_1_percent",
        "recall_at_1_percent",
    }
)
# GetSolutionMetrics' keys, every one documented, are snake_case identifiers.
METRIC_NAME = re.compile(r"[a-z][a-z0-9_]*")


def parse_thresholds(thresholds: Mapping[str, Any] | str) -> dict[str, float]:
    """``{metric: minimum}`` from a mapping or its text (a template rendered without native objects).

    Raises ValueError naming ``thresholds`` for anything but metric names with numeric minimums.
    """
    if isinstance(thresholds, str):
        thresholds = _literal(thresholds)
    if not isinstance(thresholds, Mapping) or not thresholds:
        raise ValueError(f"thresholds: expected a non-empty {{metric: minimum}} mapping, got {thresholds!r}")
    malformed = sorted(str(metric) for metric in thresholds if not METRIC_NAME.fullmatch(str(metric)))
    if malformed:
        known = ", ".join(sorted(SOLUTION_METRICS))
        raise ValueError(
            f"thresholds: {', '.join(map(repr, malformed))} is not a metric name as GetSolutionMetrics "
            f"reports them (snake_case, such as {known})"
        )
    return {
        metric: parse_number(minimum, f"thresholds[{metric!r}]") for metric, minimum in thresholds.items()
    }


def _literal(text: str) -> Any:
    """The value written as JSON, or as Python: how Jinja renders a dict without native rendering."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise ValueError(f"thresholds: not a mapping nor its JSON text: {text!r}") from None


def parse_number(value: Any, parameter: str) -> float:
    """A number, or its text (a template rendered without native objects); ValueError naming ``parameter``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{parameter}: expected a number, got {value!r}")
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{parameter}: expected a number, got {value!r}") from None


@dataclass(frozen=True, eq=False)
class MetricCheck:
    """One metric of a candidate solution version against its bar."""

    metric: str
    value: float | None  # None when GetSolutionMetrics does not report it
    minimum: float
    live: float | None = None  # the campaign's current version's value, when compared

    def required(self, tolerance: float) -> float:
        """The bar: the minimum, raised to the live value less the tolerance when compared."""
        return self.minimum if self.live is None else max(self.minimum, self.live - tolerance)

    def passes(self, tolerance: float) -> bool:
        return self.value is not None and self.value >= self.required(tolerance)


def metrics_table(checks: Sequence[MetricCheck], tolerance: float, compared: bool) -> str:
    """A plain-text table: metric, value, required (, live), and a mark on the rows below the bar."""
    header = ["metric", "value", "required"] + (["live"] if compared else []) + [""]
    rows = [header]
    for check in checks:
        row = [check.metric, _number(check.value), _number(check.required(tolerance))]
        if compared:
            row.append(_number(check.live))
        row.append("" if check.passes(tolerance) else "<- below")
        rows.append(row)
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def _number(value: float | None) -> str:
    return "not reported" if value is None else f"{value:.4f}"


class PersonalizeSolutionMetricsCheckOperator(AwsBaseOperator[PersonalizeHook]):
    """
    Gate a trained solution version on its offline metrics (GetSolutionMetrics) before it is deployed.

    Every metric in ``thresholds`` must reach its minimum. With ``compare_to_campaign_arn``, the candidate
    must also not be worse, by more than ``tolerance`` (absolute), than the version that campaign serves
    now, on each of those metrics (a campaign already serving the candidate passes that comparison
    trivially; a metric the live version does not report is held to its minimum only). All metrics are
    higher-is-better.

    Below the bar the task fails with a table of metric / value / required (/ live); with
    ``soft_fail=True`` it is skipped instead, so that a downstream deploy (default trigger rule) is skipped
    and the campaign keeps serving what it serves. Returns the candidate's metrics dict (XCom).

    :param solution_version_arn: ARN of the candidate solution version. (templated)
    :param thresholds: ``{metric: minimum}``, e.g. ``{"normalized_discounted_cumulative_gain_at_10": 0.2}``;
        a mapping, or its JSON text, or the text Jinja renders a dict as without native rendering.
        (templated)
    :param compare_to_campaign_arn: ARN of the campaign whose current version the candidate must not be
        worse than. (templated)
    :param tolerance: How much worse than the live version a metric may be, absolute; a number or numeric
        text. (default: 0.0) (templated)
    :param soft_fail: Skip the task, rather than fail it, when the candidate is below the bar.
    :param aws_conn_id: The Airflow connection used for AWS credentials.
        If this is ``None`` or empty then the default boto3 behaviour is used. If
        running Airflow in a distributed manner and aws_conn_id is None or
        empty, then default boto3 configuration would be used (and must be
        maintained on each worker node).
    :param region_name: AWS region_name. If not specified then the default boto3 behaviour is used.
    :param verify: Whether or not to verify SSL certificates. See:
        https://boto3.amazonaws.com/v1/documentation/api/latest/reference/core/session.html
    :param botocore_config: Configuration dictionary (key-values) for botocore client. See:
        https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html
    """

    aws_hook_class = PersonalizeHook
    operator_extra_links = (PersonalizeResourceLink(),)
    ui_color = "#66c3ff"
    template_fields: Sequence[str] = aws_template_fields(
        "solution_version_arn", "thresholds", "compare_to_campaign_arn", "tolerance"
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"thresholds": "json"}

    def __init__(
        self,
        *,
        solution_version_arn: str,
        thresholds: Mapping[str, float] | str,
        compare_to_campaign_arn: str | None = None,
        tolerance: float | str = 0.0,
        soft_fail: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.solution_version_arn = solution_version_arn
        self.thresholds = thresholds
        self.compare_to_campaign_arn = compare_to_campaign_arn
        self.tolerance = tolerance
        self.soft_fail = soft_fail

    def execute(self, context: Context) -> dict[str, float]:
        thresholds, tolerance = self.validated()
        undocumented = sorted(set(thresholds) - SOLUTION_METRICS)
        if undocumented:
            self.log.info(
                "Metrics outside AWS's documented list, for this recipe: %s", ", ".join(undocumented)
            )
        PersonalizeResourceLink.persist(
            context=context,
            operator=self,
            region_name=self.hook.conn_region_name,
            aws_partition=self.hook.conn_partition,
            resource_arn=self.solution_version_arn,
        )

        metrics = self.hook.solution_metrics(self.solution_version_arn)
        self.log.info("Metrics of %s: %s", self.solution_version_arn, metrics)
        live = self.live_metrics()
        checks = [
            MetricCheck(metric, metrics.get(metric), minimum, None if live is None else live.get(metric))
            for metric, minimum in thresholds.items()
        ]
        table = metrics_table(checks, tolerance, compared=live is not None)
        if all(check.passes(tolerance) for check in checks):
            self.log.info("%s meets the bar:\n%s", self.solution_version_arn, table)
            return metrics
        message = f"Solution version {self.solution_version_arn} is below the bar:\n{table}"
        if any(check.value is None for check in checks):
            message += f"\nIt reports: {', '.join(sorted(metrics)) or 'no metrics'}"
        if self.soft_fail:
            raise AirflowSkipException(message)
        raise AirflowFailException(message)

    def validated(self) -> tuple[dict[str, float], float]:
        """The thresholds and the tolerance, once every parameter is checked; raises, naming each bad one,
        before any request."""
        from airflow_provider_personalize.hooks.request_model import InvalidRequestError, build_request

        problems: list[str] = []
        thresholds: dict[str, float] = {}
        tolerance = 0.0
        try:
            thresholds = parse_thresholds(self.thresholds)
        except ValueError as error:
            problems.append(str(error))
        try:
            tolerance = parse_number(self.tolerance, "tolerance")
            if tolerance < 0:
                problems.append(f"tolerance: must be >= 0, got {tolerance}")
        except ValueError as error:
            problems.append(str(error))
        arns: list[tuple[str, dict[str, Any], dict[str, str] | None]] = [
            ("get_solution_metrics", {"solution_version_arn": self.solution_version_arn}, None)
        ]
        if self.compare_to_campaign_arn is not None:
            campaign = {"compare_to_campaign_arn": self.compare_to_campaign_arn}
            arns.append(("describe_campaign", campaign, {"compare_to_campaign_arn": "campaign_arn"}))
        for method, arguments, aliases in arns:
            try:
                build_request(method, arguments, aliases)
            except InvalidRequestError as error:
                problems += error.problems
        if problems:
            raise InvalidRequestError(type(self).__name__, problems)
        return thresholds, tolerance

    def live_metrics(self) -> dict[str, float] | None:
        """The metrics of the version the campaign serves now; None when there is nothing to compare."""
        if not self.compare_to_campaign_arn:
            return None
        campaign = self.hook.describe(CAMPAIGN, self.compare_to_campaign_arn)
        live_version_arn = campaign[SOLUTION_VERSION.arn_member]
        if live_version_arn == self.solution_version_arn:
            self.log.info("%s already serves it: nothing to compare", self.compare_to_campaign_arn)
            return None
        live = self.hook.solution_metrics(live_version_arn)
        self.log.info("%s serves %s, with metrics %s", self.compare_to_campaign_arn, live_version_arn, live)
        return live


class PersonalizeDeleteResourceOperator(PersonalizeDeleteBaseOperator):
    """
    Delete one Amazon Personalize resource and wait until it is gone.

    A resource already gone is success. The service refuses to delete a resource that still holds others
    (``ResourceInUseException``: a dataset group with datasets, a solution with campaigns): delete those
    first, or the whole group with :class:`PersonalizeDeleteDatasetGroupOperator`. See
    :class:`PersonalizeDeleteBaseOperator` for the waits.

    :param kind: The resource kind, a key of :mod:`airflow_provider_personalize.resources` that can be
        deleted: ``"campaign"``, ``"solution"``, ``"filter"``, ``"dataset"``, ``"schema"``, ...
    :param arn: The resource's ARN. (templated)

    Returns the ARN.
    """

    template_fields: Sequence[str] = aws_template_fields("arn")

    def __init__(self, *, kind: str, arn: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        try:
            resource_kind = get_waitable_kind(kind)
        except ValueError as error:
            raise ValueError(f"kind: {error}") from None
        if not isinstance(resource_kind, ResourceKind) or resource_kind.delete_method is None:
            deletable = ", ".join(key for key, known in RESOURCE_KINDS.items() if known.delete_method)
            raise ValueError(
                f"kind: a Personalize {resource_kind.label} cannot be deleted; deletable: {deletable}"
            )
        self.kind = resource_kind
        self.arn = arn

    def execute(self, context: Context) -> str:
        from botocore import xform_name

        from airflow_provider_personalize.hooks.request_model import build_request

        kind = self.kind
        build_request(kind.describe_method, {"arn": self.arn}, aliases={"arn": xform_name(kind.arn_member)})
        self.delete_resource(kind, self.arn)
        return self.arn


class PersonalizeDeleteDatasetGroupOperator(PersonalizeDeleteBaseOperator):
    """
    Delete a dataset group and everything in it, in the order the service requires.

    1. Settle the work in progress, which blocks deletions: trainings (solution versions) are stopped with
       StopSolutionVersionCreation, since their result is about to be deleted; running jobs (imports,
       exports, data deletions, batch jobs) are waited for, since they cannot be stopped.
    2. Delete, one stage after the other, each stage's deletions together and waited for until gone:
       recommenders, campaigns (of the group's solutions), solutions, event trackers, filters, metric
       attributions, datasets, then the group (the order and what a group holds come from the table of
       kinds, :func:`airflow_provider_personalize.resources.deletion_order`); jobs and solution versions
       go with what holds them.
    3. With ``delete_schemas``, delete the schemas the group's datasets used, except those another dataset
       still uses (the service refuses; they are kept, logged). Schemas are found through the datasets:
       a retry after the datasets are gone no longer finds them.

    Idempotent: what is already gone is skipped, a group that does not exist is success (logged), and a
    retry or rerun finishes what a first try left. Waits in the worker only (see
    :class:`PersonalizeDeleteBaseOperator`); ``waiter_delay`` and ``waiter_max_attempts`` apply to each wait.

    :param dataset_group_arn: ARN of the dataset group; give this or ``dataset_group_name``. (templated)
    :param dataset_group_name: Name of the dataset group. (templated)
    :param delete_schemas: Also delete the schemas of the group's datasets. (default: False)

    Returns what it deleted, as ``{kind: [ARN, ...]}`` (``"campaign"``, ..., ``"dataset_group"``,
    ``"schema"``), and logs a summary.
    """

    template_fields: Sequence[str] = aws_template_fields("dataset_group_arn", "dataset_group_name")

    def __init__(
        self,
        *,
        dataset_group_arn: str | None = None,
        dataset_group_name: str | None = None,
        delete_schemas: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if (dataset_group_arn is None) == (dataset_group_name is None):
            raise ValueError("Give exactly one of dataset_group_arn and dataset_group_name")
        self.dataset_group_arn = dataset_group_arn
        self.dataset_group_name = dataset_group_name
        self.delete_schemas = delete_schemas

    def execute(self, context: Context) -> dict[str, list[str]]:
        group = self.find_group()
        if group is None:
            self.log.info(
                "Personalize dataset group %s does not exist: nothing to delete",
                self.dataset_group_name if self.dataset_group_arn is None else self.dataset_group_arn,
            )
            return {}
        return self.delete_dataset_group(group, delete_schemas=self.delete_schemas)

    def find_group(self) -> dict[str, Any] | None:
        """The group's Describe body, or None if it does not exist. The parameter given is checked first,
        rendered: a malformed ARN or name, or one that rendered empty, fails the task naming it."""
        from airflow_provider_personalize.hooks.request_model import build_request

        if self.dataset_group_arn is not None:
            build_request("describe_dataset_group", {"dataset_group_arn": self.dataset_group_arn})
            return self.hook.describe_if_exists(DATASET_GROUP, self.dataset_group_arn)
        # A dataset group's name, as CreateDatasetGroup defines it.
        name = {"dataset_group_name": self.dataset_group_name}
        build_request("create_dataset_group", name, aliases={"dataset_group_name": "name"})
        return self.hook.find_by_name(DATASET_GROUP, str(self.dataset_group_name))

"""The machines behind the Personalize operators: create, update and delete, one implementation each.

:mod:`airflow_provider_personalize.operators.personalize` declares one operator per request on these
bases; a declaration says which request and with which keywords, the base says how it is sent, retried
and waited for. Like the declarations, this module imports only Airflow, the amazon provider's bases and
the table of kinds: botocore's service model is loaded, and the trigger imported, when a task runs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from airflow.providers.amazon.aws.operators.base_aws import AwsBaseOperator
from airflow.providers.amazon.aws.utils import validate_execute_complete_event
from airflow.providers.amazon.aws.utils.mixins import aws_template_fields
from airflow.providers.common.compat.sdk import AirflowFailException, conf
from botocore.exceptions import ClientError

from airflow_provider_personalize.hooks.personalize import PersonalizeHook, error_code
from airflow_provider_personalize.hooks.retries import PendingJobsQuotaError, QuotaWait
from airflow_provider_personalize.links.personalize import PersonalizeResourceLink
from airflow_provider_personalize.operators._existing import (
    MAX_REDOS,
    difference_table,
    differences,
    redo_names,
)
from airflow_provider_personalize.resources import (
    DATASET,
    DATASET_GROUP,
    DELETION_STATUSES,
    SCHEMA,
    ResourceKind,
    UpdateKind,
    WaitableKind,
    deletion_order,
    held_kinds,
)
from airflow_provider_personalize.waits import (
    PersonalizeResourceFailedError,
    arn_from_event,
    is_settled,
    outcome,
)

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage
    from airflow.sdk import Context

# Personalize names: ^[a-zA-Z0-9][a-zA-Z0-9\-_]*, 1..63 characters.
_NAME_MAX_LENGTH = 63
_NAME_FORBIDDEN = re.compile(r"[^a-zA-Z0-9\-_]+")
_NAME_HASH_LENGTH = 8


def run_scoped_name(context: Context) -> str:
    """A Personalize name unique to this task in this run: ``<dag>-<task>-<logical date>[-<map index>]``.

    A retry or a rerun of the same run gets the same name (and so finds the resource its first try
    created); a new run gets a new one. Runs without a logical date use the run id. Characters the API
    refuses become ``-``; a name longer than 63 characters is cut and ends with a hash of the whole, so
    that two long names differing only at the end stay distinct.
    """
    task_instance = context["ti"]
    logical_date = context.get("logical_date")
    run_part = (
        logical_date.astimezone(UTC).strftime("%Y%m%dT%H%M%S") if logical_date else task_instance.run_id
    )
    parts = [task_instance.dag_id, task_instance.task_id, run_part]
    map_index = getattr(task_instance, "map_index", -1)
    if map_index is not None and map_index >= 0:
        parts.append(str(map_index))
    whole = "-".join(parts)
    name = _NAME_FORBIDDEN.sub("-", whole).lstrip("-_") or "airflow"
    if len(name) > _NAME_MAX_LENGTH:
        digest = hashlib.sha256(whole.encode()).hexdigest()[:_NAME_HASH_LENGTH]
        name = f"{name[: _NAME_MAX_LENGTH - _NAME_HASH_LENGTH - 1]}-{digest}"
    return name


# How much earlier than its run a run's resource may seem created: the service's clock and the scheduler's
# are not the same clock.
_CLOCK_SKEW_MARGIN = timedelta(minutes=15)


def run_started(context: Context) -> datetime | None:
    """When the task's run could start (its ``run_after``, else its logical date), a little earlier for
    clock skew: nothing that run created is older, whichever try or clear created it. None when unknown."""
    dag_run = context.get("dag_run")
    start = getattr(dag_run, "run_after", None) or context.get("logical_date")
    return start - _CLOCK_SKEW_MARGIN if start else None


def settings_include(actual: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether every member of ``wanted`` has the same value in ``actual``, nested mappings member by member.

    The service fills in defaults (a campaign's ``campaignConfig`` gains the members it was not given), so
    a resource matches a request when it holds everything the request asks for, whatever else it holds.
    """
    for member, value in wanted.items():
        current = actual.get(member)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            if not settings_include(current, value):
                return False
        elif current != value:
            return False
    return True


def _build_request(method_name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
    # botocore's service model costs tens of milliseconds to load: only when a task runs, never at parse.
    from airflow_provider_personalize.hooks.request_model import build_request

    return build_request(method_name, arguments)


class PersonalizeBaseOperator(AwsBaseOperator[PersonalizeHook]):
    """
    The base of the create and update operators: a request declared by keywords, and a wait for its outcome.

    A subclass declares its request with, and only with:

    - ``resource_kind``: the kind it creates (a ``ResourceKind``, such as ``DATASET_IMPORT_JOB``) or
      updates (an ``UpdateKind``, such as ``CAMPAIGN_UPDATE``), from
      :mod:`airflow_provider_personalize.resources`;
    - ``request_parameters``: the keyword arguments that make the request, each an API member in
      snake_case (``dataSource`` -> ``data_source``);
    - ``template_fields = aws_template_fields(*request_parameters)``: all of them are templated;
    - an ``__init__`` taking those keywords, typed and keyword-only, that stores each under its own name
      and hands everything else to the base.

    The request is built from those attributes once they are rendered, and checked against botocore's
    model of the API request. A unit test holds every declaration to this: its ``request_parameters``
    are exactly the request's members, each a keyword of its ``__init__``, stored, templated, documented.

    :param wait_for_completion: Whether to wait for the outcome. (default: True)
    :param waiter_delay: Seconds between status checks. (default: the resource kind's, suited to how long
        the service takes)
    :param waiter_max_attempts: Maximum number of status checks. (default: the kind's, comfortably above
        the service's longest documented duration)
    :param deferrable: If True, wait in the triggerer instead of the worker; this implies waiting.
        (default: False, but can be overridden in config file by setting default_deferrable to True)
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

    resource_kind: ClassVar[WaitableKind]
    request_parameters: ClassVar[tuple[str, ...]]
    template_fields: Sequence[str] = aws_template_fields()

    def __init__(
        self,
        *,
        wait_for_completion: bool = True,
        waiter_delay: int | None = None,
        waiter_max_attempts: int | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        kind = self.resource_kind
        self.wait_for_completion = wait_for_completion
        self.waiter_delay = kind.waiter_delay if waiter_delay is None else waiter_delay
        self.waiter_max_attempts = (
            kind.waiter_max_attempts if waiter_max_attempts is None else waiter_max_attempts
        )
        self.deferrable = deferrable
        self.resource_arn: str | None = None

    def request_arguments(self) -> dict[str, Any]:
        """The declared request's arguments, by keyword, as rendered."""
        return {parameter: getattr(self, parameter) for parameter in self.request_parameters}

    def persist_link(self, context: Context, arn: str) -> None:
        PersonalizeResourceLink.persist(
            context=context,
            operator=self,
            region_name=self.hook.conn_region_name,
            aws_partition=self.hook.conn_partition,
            resource_arn=arn,
        )

    def wait_as_configured(self, arn: str) -> None:
        """Wait for ``arn`` in the triggerer (``deferrable``: the task resumes in :meth:`execute_complete`),
        in the worker (``wait_for_completion``), or not at all."""
        if self.deferrable:
            self.defer_until_done(arn, method_name="execute_complete")
        elif self.wait_for_completion:
            self.hook.wait(
                self.resource_kind,
                arn,
                waiter_delay=self.waiter_delay,
                waiter_max_attempts=self.waiter_max_attempts,
            )

    def defer_until_done(self, arn: str, method_name: str) -> None:
        """Hand the task to the triggerer until ``arn`` is done; it resumes in ``method_name``."""
        # The trigger imports aiobotocore and aiohttp: only when a task defers, never at DAG parse.
        from airflow_provider_personalize.triggers.personalize import PersonalizeResourceTrigger

        kind = self.resource_kind
        self.log.info("Deferring until Personalize %s %s is done", kind.label, arn)
        trigger = PersonalizeResourceTrigger.for_task(
            self, kind, arn, waiter_delay=self.waiter_delay, waiter_max_attempts=self.waiter_max_attempts
        )
        self.defer(trigger=trigger, method_name=method_name)

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> str:
        self.resource_arn = (event or {}).get("arn")
        return arn_from_event(event)

    def on_kill(self) -> None:
        """Stop waiting at once: a blocking wait or backoff ends in ``PersonalizeWaitInterruptedError``."""
        self.hook.interrupt()


class PersonalizeCreateBaseOperator(PersonalizeBaseOperator):
    """
    Create an Amazon Personalize resource and wait for it: the machine behind every create operator.

    1. Validate (after rendering, before any request): every argument is checked against botocore's
       model of the Create request (required members, lengths, enums, patterns, S3 URIs, nested
       structures); a bad value fails the task with a message naming its keyword, and nothing is sent.
    2. Create, idempotently: when the service answers ``ResourceAlreadyExistsException`` the resource is
       looked up by name under its parent and, with ``if_exists="reuse"``, adopted if its settings are
       the request's (``compare_existing``): one that succeeded is the result (logged, saying how to force
       a new one), one in progress is waited for, one that failed fails the task with its failureReason.
       Jobs and solution versions are named after the run when no name is given
       (:func:`run_scoped_name`), so a retry or rerun of a run adopts its own job and never duplicates it;
       and a run's job (or training) that failed or was stopped is redone: the task creates a new one
       under a derived name, ``<name>-redo1``, ``-redo2``, ..., the first of that chain without a failure
       being the run's current one, so that a retry of the redo finds it. That holds alike for automatic
       retries, ``airflow tasks clear`` and the clearing of a whole run: clearing a failed import after
       uploading its missing file imports it. Solution versions, whose names the service does not keep
       unique, are looked for among those created since the run (:func:`run_started`).
       A Create refused by a pending-jobs quota (five unfinished import jobs in the region, ...) is tried
       again every ``waiter_delay`` (jittered) until the quota clears, for at most the task's wait budget,
       ``waiter_delay`` x ``waiter_max_attempts``, counted from the first refusal; each refusal is logged
       with the quota and the time waited. Deferrable, the task waits on a timer in the triggerer
       between tries, holding no worker slot.
    3. Wait: not at all (``wait_for_completion=False``), in the worker, or in the triggerer
       (``deferrable=True``); a failure status raises with the ARN, the status and the failureReason.
    4. Return the ARN (the XCom value, so ``task.output`` chains tasks) and persist the console link.

    A subclass declares its request as :class:`PersonalizeBaseOperator` says, with a ``ResourceKind``.

    :param if_exists: What to do when a resource of that name already exists: ``"reuse"`` (default)
        adopts it (a run's job that failed or was stopped is redone, see above), ``"new"`` (jobs and
        solution versions only) creates a new one even if this run's succeeded, under the next redo name,
        and ``"fail"`` fails the task.
    :param compare_existing: Before reusing an existing resource, compare its settings (what Describe
        echoes back) with the request's; a difference fails the task with a member / requested / existing
        table. A member the request leaves out matches whatever the service filled in. False reuses the
        resource as it is. (default: True)

    Also takes the arguments of :class:`PersonalizeBaseOperator` (the wait, the AWS connection).
    """

    resource_kind: ClassVar[ResourceKind]

    def __init__(
        self,
        *,
        if_exists: Literal["reuse", "new", "fail"] = "reuse",
        compare_existing: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if if_exists not in ("reuse", "new", "fail"):
            raise ValueError(f"if_exists must be 'reuse', 'new' or 'fail', not {if_exists!r}")
        if if_exists == "new" and not self.resource_kind.named_per_run:
            raise ValueError(
                f"if_exists='new' is for jobs and solution versions, which a run creates anew; a "
                f"{self.resource_kind.label} keeps its name: choose another name for a new one"
            )
        self.if_exists = if_exists
        self.compare_existing = compare_existing

    def build_request(self, context: Context) -> dict[str, Any]:
        """The Create request from the rendered arguments; raises, naming the keyword, if one is invalid."""
        from botocore import xform_name

        kind = self.resource_kind
        arguments = self.request_arguments()
        name_keyword = xform_name(kind.name_member)
        if kind.named_per_run and not arguments.get(name_keyword):
            arguments[name_keyword] = run_scoped_name(context)
        return _build_request(kind.create_method, arguments)

    def execute(self, context: Context) -> str:
        return self.create_and_wait(context, quota_wait=None)

    def execute_after_quota_wait(
        self, context: Context, event: Any = None, quota_wait_started: str | None = None
    ) -> str:
        """Resume after a deferred quota wait's timer: try the Create again, within the same budget."""
        started = datetime.fromisoformat(quota_wait_started) if quota_wait_started else None
        return self.create_and_wait(context, self.quota_wait(started))

    def create_and_wait(self, context: Context, quota_wait: QuotaWait | None) -> str:
        """Steps 1 to 4; ``quota_wait`` is the quota wait under way, if the Create was refused before."""
        request = self.build_request(context)
        created_since = run_started(context)
        while True:
            try:
                arn, settled = self.create_or_adopt(request, created_since)
                break
            except PendingJobsQuotaError as refusal:
                quota_wait = quota_wait or self.quota_wait(None)
                delay = quota_wait.next_delay(refusal)
                self.log.info(quota_wait.describe(refusal, delay))
                if self.deferrable:
                    self.defer_for(delay, quota_wait)
                self.hook.sleep(delay)
        self.resource_arn = arn
        self.persist_link(context, arn)
        if not settled:
            self.wait_as_configured(arn)
        return arn

    def quota_wait(self, started: datetime | None) -> QuotaWait:
        """A quota wait with the task's budget, started at ``started`` (None: now)."""
        budget = self.waiter_delay * self.waiter_max_attempts
        if started is None:
            return QuotaWait.starting_now(budget, interval=self.waiter_delay)
        return QuotaWait(started, budget, interval=self.waiter_delay)

    def defer_for(self, delay: float, quota_wait: QuotaWait) -> None:
        """Hand the task to the triggerer for ``delay`` seconds; it resumes in
        :meth:`execute_after_quota_wait`, trying the Create again."""
        from airflow.providers.standard.triggers.temporal import TimeDeltaTrigger

        self.defer(
            trigger=TimeDeltaTrigger(timedelta(seconds=delay)),
            method_name="execute_after_quota_wait",
            kwargs={"quota_wait_started": quota_wait.started.isoformat()},
        )

    def create_or_adopt(
        self, request: dict[str, Any], created_since: datetime | None = None
    ) -> tuple[str, bool]:
        """Create the resource, or adopt the one of that name (or, for a run's job, redo it); return its
        ARN and whether it is done. ``created_since`` bounds the lookup of solution versions."""
        kind = self.resource_kind
        parent_arn = request.get(kind.parent_member) if kind.parent_member else None
        refusal = None
        if kind.create_refuses_duplicates:
            try:
                return self.create(request)
            except ClientError as error:
                if error_code(error) != "ResourceAlreadyExistsException":
                    raise
                refusal = error
        name = request[kind.name_member]
        names = redo_names(name) if kind.named_per_run else [name]
        found = self.hook.find_by_names(kind, names, parent_arn, created_since=created_since)
        earlier: list[str] = []
        for candidate in names:
            existing = found.get(candidate)
            if existing is None:
                if refusal is not None and candidate == name:
                    raise self.name_taken(request, parent_arn) from refusal
                return self.create({**request, kind.name_member: candidate}, earlier)
            if self.if_exists == "fail":
                raise AirflowFailException(
                    f"Personalize {kind.label} {candidate!r} already exists: {existing[kind.arn_member]} "
                    "(if_exists='fail')"
                )
            adopted = self.adopt(candidate, existing, request)
            if adopted is not None:
                return adopted
            earlier.append(candidate)
        raise AirflowFailException(
            f"This run's Personalize {kind.label} {name!r} was redone {MAX_REDOS} times and every one "
            f"ended without success ({', '.join(earlier)}): fix the cause, then clear the task in a new run"
        )

    def create(self, request: dict[str, Any], earlier: Sequence[str] = ()) -> tuple[str, bool]:
        """Send the Create request; ``earlier`` are this run's earlier attempts that ended without success
        (the request then carries a redo name)."""
        kind = self.resource_kind
        arn = self.hook.create(kind, request)
        if earlier:
            self.log.info(
                "Created Personalize %s %s, named %r: this run's earlier %s (%s) did not succeed",
                kind.label,
                arn,
                request[kind.name_member],
                "attempt" if len(earlier) == 1 else "attempts",
                ", ".join(earlier),
            )
        else:
            self.log.info("Created Personalize %s %s", kind.label, arn)
        return arn, kind.lifecycle is None

    def adopt(self, name: str, existing: dict[str, Any], request: dict[str, Any]) -> tuple[str, bool] | None:
        """The ARN of ``existing`` (the resource named ``name``) and whether it is done, if this task is to
        reuse it; None if this task is to create another under the next redo name.

        Reused: one in progress (it is waited for) or one that succeeded (with ``if_exists="new"``, a run's
        job that succeeded is not: another is created), if its settings are the request's. A run's job that
        ended in failure is redone; any other resource that did fails the task, with its failureReason.
        """
        kind = self.resource_kind
        arn = existing[kind.arn_member]
        status = kind.status_of(existing) or "none"
        event = outcome(kind, arn, existing)
        if event is not None and event["status"] == "failure":
            if kind.named_per_run:
                self.log.info(
                    "This run's Personalize %s %r (%s) ended in %s (%s): creating a new one",
                    kind.label,
                    name,
                    arn,
                    status,
                    event.get("failure_reason") or "no failure reason",
                )
                return None
            is_settled(kind, arn, existing)  # raises, with the failureReason
        done = event is not None
        if done and self.if_exists == "new":
            self.log.info(
                "This run's Personalize %s %r (%s) succeeded; if_exists='new': creating another",
                kind.label,
                name,
                arn,
            )
            return None
        self.check_settings(name, existing, request)
        if not done:
            self.log.info(
                "Personalize %s %r already exists, in progress (%s): waiting for %s",
                kind.label,
                name,
                status,
                arn,
            )
        elif kind.named_per_run:
            self.log.info(
                "This run's Personalize %s %r already succeeded (%s): reusing %s. To create a new one "
                "instead, set if_exists='new' on the task and clear it",
                kind.label,
                name,
                status,
                arn,
            )
        else:
            self.log.info("Personalize %s %r already exists (%s): reusing %s", kind.label, name, status, arn)
        return arn, done

    def check_settings(self, name: str, existing: dict[str, Any], request: dict[str, Any]) -> None:
        """Refuse (with a member / requested / existing table) to adopt a resource whose settings are not
        the request's, unless ``compare_existing`` is off."""
        if not self.compare_existing:
            return
        kind = self.resource_kind
        found = differences(kind.create_method, kind.name_member, request, existing)
        if found:
            raise AirflowFailException(
                f"Personalize {kind.label} {name!r} already exists ({existing[kind.arn_member]}) with other "
                "settings than this task asks for:\n"
                f"{difference_table(found)}\n"
                "Choose another name, delete the existing one, or set compare_existing=False to reuse it as "
                "it is."
            )

    def name_taken(self, request: dict[str, Any], parent_arn: str | None) -> AirflowFailException:
        """The error for a Create refused as a duplicate when nothing of that name exists under the parent:
        for a kind held once per value of a member (a dataset group's one dataset of each type), which
        resource holds that value; else that the name is taken elsewhere."""
        kind = self.resource_kind
        name = request[kind.name_member]
        member = kind.one_per_parent_by
        if member and parent_arn:
            value = str(request.get(member, ""))
            for summary in self.hook.list_summaries(kind, parent_arn):
                if str(summary.get(member, "")).casefold() == value.casefold():
                    holder = summary.get(kind.name_member)
                    return AirflowFailException(
                        f"Personalize refused {kind.label} {name!r}: the name is free, but {parent_arn} "
                        f"holds one {kind.label} per {member} and its {member} {summary.get(member)} is "
                        f"taken by {holder!r} ({summary[kind.arn_member]}). Name this task's {kind.label} "
                        f"{holder!r} to reuse that one, or use another "
                        f"{kind.contained_in.label if kind.contained_in else 'parent'}"
                    )
        where = f" under {parent_arn}" if parent_arn else ""
        return AirflowFailException(
            f"Personalize says {kind.label} {name!r} already exists, but none of that name exists{where}: "
            "the name is taken by another one in the region; choose another name"
        )

    def get_openlineage_facets_on_start(self) -> OperatorLineage | None:
        """What the request names as read and written (no request to AWS): see :mod:`..lineage`."""
        from airflow_provider_personalize.lineage.operator_lineage import operator_lineage

        return operator_lineage(self, "start")

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> OperatorLineage | None:
        """Inputs and outputs with their schemas, and the resource's ARN and status: see :mod:`..lineage`."""
        from airflow_provider_personalize.lineage.operator_lineage import operator_lineage

        return operator_lineage(self, "complete")

    def get_openlineage_facets_on_failure(self, task_instance: Any) -> OperatorLineage | None:
        """As on complete, with the resource's status and failureReason: see :mod:`..lineage`."""
        from airflow_provider_personalize.lineage.operator_lineage import operator_lineage

        return operator_lineage(self, "failure")

    def on_kill(self) -> None:
        """Stop waiting, and stop the creation this task started where the service allows it (solution
        versions)."""
        super().on_kill()
        kind = self.resource_kind
        if self.resource_arn and kind.stop_method:
            self.log.info("Stopping the creation of Personalize %s %s", kind.label, self.resource_arn)
            try:
                self.hook.stop_creation(kind, self.resource_arn)
            except Exception:
                # on_kill runs in a signal handler: an error raised here would surface wherever the task
                # happened to be. The training goes on; say so.
                self.log.warning("Could not stop %s", self.resource_arn, exc_info=True)


class PersonalizeUpdateBaseOperator(PersonalizeBaseOperator):
    """
    Update an Amazon Personalize resource and wait for the update: the machine behind the update operators.

    1. Validate (after rendering, before any request) every argument against botocore's model of the
       Update request; a bad value fails the task with a message naming its keyword.
    2. Bring the resource to the requested settings, retry-safe:

       - an update towards these settings already in progress (this task's first try) is waited for, not
         sent again;
       - an update towards other settings in progress is waited for first, however it ends (the service
         refuses a second update meanwhile), then the resource is considered anew;
       - a resource that already has the requested settings is left alone: no request is sent (logged);
       - otherwise the update is sent.
    3. Wait for the resource's latest update (``latestCampaignUpdate``, ...): not at all
       (``wait_for_completion=False``), in the worker, or in the triggerer (``deferrable=True``); a failed
       update raises with its failureReason.
    4. Return the resource's ARN (the update keeps it).

    A subclass declares its request as :class:`PersonalizeBaseOperator` says, with an ``UpdateKind``; the
    operator takes that class's arguments (the wait, the AWS connection).
    """

    resource_kind: ClassVar[UpdateKind]

    def build_request(self) -> dict[str, Any]:
        """The Update request from the rendered arguments; raises, naming the keyword, if one is invalid."""
        return _build_request(self.resource_kind.update_method, self.request_arguments())

    def execute(self, context: Context) -> str:
        request = self.build_request()
        self.persist_link(context, request[self.resource_kind.arn_member])
        return self.update_to(request)

    def update_to(self, request: dict[str, Any]) -> str:
        """Steps 2 and 3: bring the resource to ``request``'s settings and wait; return its ARN."""
        kind = self.resource_kind
        arn = request[kind.arn_member]
        wanted = {member: value for member, value in request.items() if member != kind.arn_member}
        while True:
            description = self.hook.describe(kind, arn)
            in_progress = kind.lifecycle.is_in_progress(kind.status_of(description))
            if not in_progress or settings_include(kind.latest_update_of(description), wanted):
                break
            self.log.info("%s has another update in progress: waiting for it before sending this one", arn)
            if self.deferrable:
                self.defer_until_done(arn, method_name="execute_after_other_update")
                return arn
            self.settle_other_update(arn)
        if in_progress:
            self.log.info("An update of %s to these settings is already in progress: waiting for it", arn)
        elif settings_include(self.current_settings(description), wanted):
            self.log.info("%s already has the requested settings: nothing to update", arn)
            return arn
        else:
            self.hook.update(kind, request)
            self.log.info("Updating Personalize %s: %s", arn, wanted)
        self.wait_as_configured(arn)
        return arn

    def current_settings(self, description: dict[str, Any]) -> dict[str, Any]:
        """The resource's settings: its Describe members, and those of its latest update if that succeeded.

        The latest update is read too because some of its members are not the resource's
        (a solution's ``solutionUpdateConfig``).
        """
        kind = self.resource_kind
        if kind.lifecycle.is_success(kind.status_of(description)):
            return {**description, **kind.latest_update_of(description)}
        return description

    def settle_other_update(self, arn: str) -> None:
        """Wait in the worker for an update this task did not ask for; how it ends does not matter."""
        try:
            self.hook.wait(
                self.resource_kind,
                arn,
                waiter_delay=self.waiter_delay,
                waiter_max_attempts=self.waiter_max_attempts,
            )
        except PersonalizeResourceFailedError as failure:
            self.log.info("That update ended in %s", failure.status)

    def execute_after_other_update(self, context: Context, event: dict[str, Any] | None = None) -> str:
        """Resume after another update ended, in the triggerer, however it ended: now this one."""
        validate_execute_complete_event(event)
        return self.update_to(self.build_request())


class PersonalizeDeleteBaseOperator(AwsBaseOperator[PersonalizeHook]):
    """
    The base of the delete operators: delete resources, idempotently, and wait until they are gone.

    Deletes are asynchronous (DELETE PENDING > DELETE IN_PROGRESS, then the resource is gone). A resource
    already gone is success; one already being deleted is waited for; one still being created (or
    updated) is waited for first, however its creation ends, because the service refuses to delete it
    meanwhile. Two procedures: :meth:`delete_resource` (one resource) and :meth:`delete_dataset_group`
    (a group and everything in it, in the service's order). The waits run in the worker: deletions take
    minutes, and a teardown's stages must follow each other, so these operators do not defer.

    :param waiter_delay: Seconds between status checks. (default: each kind's)
    :param waiter_max_attempts: Maximum number of status checks per wait. (default: each kind's)
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
    ui_color = "#66c3ff"

    def __init__(
        self, *, waiter_delay: int | None = None, waiter_max_attempts: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.waiter_delay = waiter_delay
        self.waiter_max_attempts = waiter_max_attempts

    def on_kill(self) -> None:
        """Stop waiting at once: the deletions asked for go on in the service; a retry finds them."""
        self.hook.interrupt()

    def delete_resource(self, kind: ResourceKind, arn: str) -> None:
        """Delete one resource and wait until it is gone; one that does not exist is success (logged)."""
        resource = self.hook.describe_if_exists(kind, arn)
        if resource is None:
            self.log.info("Personalize %s %s does not exist: nothing to delete", kind.label, arn)
        else:
            self.delete_all(kind, [resource])

    def delete_dataset_group(self, group: dict[str, Any], delete_schemas: bool) -> dict[str, list[str]]:
        """Delete a dataset group (its Describe body) and everything in it; return what was deleted.

        1. Settle the work in progress, which blocks deletions: trainings are stopped, jobs waited for.
        2. Delete, one stage after the other (:func:`~airflow_provider_personalize.resources.deletion_order`),
           each stage's deletions together and waited for until gone; then the group.
        3. With ``delete_schemas``, delete the schemas the group's datasets used, except those another
           dataset still uses (the service refuses; they are kept, logged).

        Returns ``{kind key: [ARN, ...]}`` for the kinds it deleted something of, in deletion order.
        """
        group_arn = group[DATASET_GROUP.arn_member]
        held = self.list_held(group_arn)
        schema_arns = self.schemas_used(held[DATASET]) if delete_schemas else []
        self.settle_running_work(held)
        deleted = {kind: self.delete_all(kind, held[kind]) for kind in deletion_order(DATASET_GROUP)}
        deleted[DATASET_GROUP] = self.delete_all(DATASET_GROUP, [group])
        deleted[SCHEMA] = self.delete_unused_schemas(schema_arns)
        report = {kind: arns for kind, arns in deleted.items() if arns}
        summary = ", ".join(f"{kind.label}: {len(arns)}" for kind, arns in report.items())
        self.log.info("Deleted from Personalize dataset group %s: %s", group_arn, summary or "nothing")
        return {kind.key: arns for kind, arns in report.items()}

    def wait_settings(self, kind: ResourceKind) -> dict[str, int]:
        return {
            "waiter_delay": kind.waiter_delay if self.waiter_delay is None else self.waiter_delay,
            "waiter_max_attempts": (
                kind.waiter_max_attempts if self.waiter_max_attempts is None else self.waiter_max_attempts
            ),
        }

    def settle(self, kind: ResourceKind, arn: str) -> None:
        """Wait until the resource is no longer in progress, whether it succeeds or fails."""
        try:
            self.hook.wait(kind, arn, **self.wait_settings(kind))
        except PersonalizeResourceFailedError as failure:
            self.log.info("Personalize %s %s ended in %s", kind.label, arn, failure.status)

    def start_deletion(self, kind: ResourceKind, resource: dict[str, Any]) -> str | None:
        """Ask for the deletion of ``resource`` (its Describe body or list summary); None if already gone."""
        arn = resource[kind.arn_member]
        status = kind.status_of(resource)
        if status in DELETION_STATUSES:
            self.log.info("Personalize %s %s is already being deleted", kind.label, arn)
            return arn
        if kind.lifecycle and kind.lifecycle.is_in_progress(status):
            self.settle(kind, arn)
        if not self.hook.delete(kind, arn):
            self.log.info("Personalize %s %s is already gone", kind.label, arn)
            return None
        self.log.info("Deleting Personalize %s %s", kind.label, arn)
        return arn

    def delete_all(self, kind: ResourceKind, resources: Sequence[dict[str, Any]]) -> list[str]:
        """Delete ``resources`` of one kind and wait until all are gone; return the ARNs deleted.

        Every deletion is asked for before any is waited for, so that the service runs them together.
        """
        deleted = [arn for resource in resources if (arn := self.start_deletion(kind, resource))]
        if kind.lifecycle:  # schemas go at once
            for arn in deleted:
                self.hook.wait_until_deleted(kind, arn, **self.wait_settings(kind))
        return deleted

    def list_held(self, group_arn: str) -> dict[ResourceKind, list[dict[str, Any]]]:
        """Every resource the group holds, by kind, as list summaries (which carry ARN and status)."""
        held: dict[ResourceKind, list[dict[str, Any]]] = {
            DATASET_GROUP: [{DATASET_GROUP.arn_member: group_arn}]
        }
        for kind in held_kinds(DATASET_GROUP):
            holder = kind.contained_in
            assert holder is not None  # a held kind is contained in something
            held[kind] = [
                summary
                for holder_summary in held[holder]
                for summary in self.hook.list_summaries(kind, holder_summary[holder.arn_member])
            ]
        return held

    def settle_running_work(self, held: Mapping[ResourceKind, list[dict[str, Any]]]) -> None:
        """Stop the trainings and wait for the jobs in progress: while they run, they block deletions."""
        running = [
            (kind, summary[kind.arn_member])
            for kind in held_kinds(DATASET_GROUP)
            if not kind.delete_method and kind.lifecycle
            for summary in held[kind]
            if kind.lifecycle.is_in_progress(kind.status_of(summary))
        ]
        for kind, arn in running:
            if kind.stop_method:
                self.stop(kind, arn)
        for kind, arn in running:
            self.settle(kind, arn)

    def stop(self, kind: ResourceKind, arn: str) -> None:
        self.log.info("Stopping Personalize %s %s", kind.label, arn)
        try:
            self.hook.stop_creation(kind, arn)
        except ClientError as error:
            # Already stopping, or done in the meantime: either way it is settling.
            if error_code(error) != "ResourceInUseException":
                raise

    def schemas_used(self, datasets: Sequence[Mapping[str, Any]]) -> list[str]:
        described = (self.hook.describe_if_exists(DATASET, d[DATASET.arn_member]) for d in datasets)
        return sorted({dataset[SCHEMA.arn_member] for dataset in described if dataset})

    def delete_unused_schemas(self, schema_arns: Sequence[str]) -> list[str]:
        """Delete the schemas no dataset uses any more; the service refuses the others, which are kept."""
        deleted = []
        for arn in schema_arns:
            try:
                deleted += self.delete_all(SCHEMA, [{SCHEMA.arn_member: arn}])
            except ClientError as error:
                if error_code(error) != "ResourceInUseException":
                    raise
                self.log.info("Keeping Personalize schema %s: another dataset uses it", arn)
        return deleted

"""The retry policy: which answers are rate limits and which are quotas, and how the hook rides them out.

The hook's client is a MagicMock specced on a real boto3 client (as in test_operators.py), scripted with
the service's error answers; the hook's sleeps are recorded instead of slept, except where a test checks
that a real sleep is cut short.
"""

from __future__ import annotations

import signal
from unittest import mock

import boto3
import pytest
from botocore.exceptions import ClientError

from airflow_provider_personalize.hooks.personalize import PersonalizeHook
from airflow_provider_personalize.hooks.retries import (
    PendingJobsQuotaError,
    RateLimitPolicy,
    pending_jobs_quota_reached,
    rate_limited,
)
from airflow_provider_personalize.resources import (
    DATA_DELETION_JOB,
    DATASET_EXPORT_JOB,
    DATASET_GROUP,
    DATASET_IMPORT_JOB,
    SOLUTION_VERSION,
)
from airflow_provider_personalize.waits import PersonalizeWaitInterruptedError

IMPORT_ARN = "arn:aws:personalize:us-east-1:123456789012:dataset-import-job/j"
QUOTA = "More than 5 resources with PENDING or IN_PROGRESS status."
REAL_CLIENT = boto3.client(
    "personalize", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
)


def client_error(code: str, message: str = "", http_status: int = 400) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": http_status}},
        "AnOperation",
    )


# Which answers are which


@pytest.mark.parametrize(
    "code",
    ["ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "LimitExceededException"],
)
def test_throttling_codes_are_rate_limits_on_any_request_but_a_quota_answer(code):
    assert rate_limited(client_error(code, "Rate exceeded"))
    assert rate_limited(client_error(code, "Rate exceeded"), creating=DATASET_IMPORT_JOB)


def test_http_429_is_a_rate_limit_whatever_its_code():
    assert rate_limited(client_error("", http_status=429))


@pytest.mark.parametrize(
    "error",
    [
        client_error("ResourceNotFoundException"),
        client_error("InvalidInputException", "Rate exceeded"),
        client_error("InternalFailure", http_status=500),
        ValueError("not a service answer"),
    ],
    ids=["not-found", "invalid-input", "server-error", "no-response"],
)
def test_other_errors_are_not_rate_limits(error):
    assert not rate_limited(error)


def test_a_create_refused_with_awss_pending_jobs_words_is_a_quota_for_any_kind():
    # https://docs.aws.amazon.com/personalize/latest/dg/error-messages.html
    for kind in (DATASET_IMPORT_JOB, DATASET_EXPORT_JOB, SOLUTION_VERSION, DATASET_GROUP):
        refusal = client_error("LimitExceededException", QUOTA)
        assert pending_jobs_quota_reached(refusal, kind)
        assert not rate_limited(refusal, creating=kind)
    deletion_quota = "Exceeded the limit of 5 data deletion jobs with a status of PENDING per dataset group."
    assert pending_jobs_quota_reached(
        client_error("LimitExceededException", deletion_quota), DATA_DELETION_JOB
    )


def test_a_kind_with_a_pending_jobs_quota_takes_any_limit_answer_but_a_rate_for_its_quota():
    assert pending_jobs_quota_reached(
        client_error("LimitExceededException", "Limit reached."), SOLUTION_VERSION
    )
    assert not pending_jobs_quota_reached(
        client_error("LimitExceededException", "Rate exceeded"), SOLUTION_VERSION
    )
    # A kind without such a quota: no quota to wait out.
    assert not pending_jobs_quota_reached(
        client_error("LimitExceededException", "Limit reached."), DATASET_GROUP
    )


@pytest.mark.parametrize(
    "message", ["Rate exceeded", "The limit on the number of requests per second has been exceeded", ""]
)
def test_a_create_refused_for_its_rate_is_rate_limited(message):
    # The API reference's meaning of LimitExceededException, and an answer that says nothing more.
    assert rate_limited(client_error("LimitExceededException", message), creating=DATASET_GROUP)


def test_a_create_refused_by_a_count_quota_is_not_retried():
    # "Total number of active dataset groups": 5 per region by default, adjustable; no retry within
    # minutes changes that (https://docs.aws.amazon.com/personalize/latest/dg/limits.html).
    refusal = client_error("LimitExceededException", "Exceeded the limit of 5 dataset groups per region.")
    assert not rate_limited(refusal, creating=DATASET_GROUP)
    assert rate_limited(refusal)  # on a read, LimitExceededException can only be a rate


def test_throttling_is_never_a_quota():
    assert not pending_jobs_quota_reached(client_error("ThrottlingException", QUOTA), DATASET_IMPORT_JOB)


# The hook's calls


@pytest.fixture
def hook_and_client():
    hook = PersonalizeHook(aws_conn_id=None, region_name="us-east-1")
    client = mock.MagicMock(spec=REAL_CLIENT)
    hook.__dict__["conn"] = client
    hook.rate_limit_policy = RateLimitPolicy(base_delay=1.0, max_delay=20.0, budget_seconds=300)
    return hook, client


def recorded_sleeps(hook: PersonalizeHook) -> list[float]:
    sleeps: list[float] = []
    hook.sleep = sleeps.append
    return sleeps


def test_a_rate_limited_request_is_sent_again_after_a_full_jitter_exponential_backoff(
    hook_and_client, capsys
):
    hook, client = hook_and_client
    sleeps = recorded_sleeps(hook)
    throttled = client_error("ThrottlingException", "Rate exceeded")
    limited = client_error("LimitExceededException", "Rate exceeded")
    client.describe_dataset_import_job.side_effect = [throttled, limited, throttled, {"datasetImportJob": {}}]
    assert hook.describe(DATASET_IMPORT_JOB, IMPORT_ARN) == {}
    assert client.describe_dataset_import_job.call_count == 4
    # The n-th retry waits up to base x 2^(n-1): 1, 2 and 4 s.
    assert len(sleeps) == 3
    assert all(0 <= delay <= bound for delay, bound in zip(sleeps, (1, 2, 4), strict=True))
    retries = [line for line in capsys.readouterr().out.splitlines() if "rate-limited" in line]
    assert len(retries) == 3
    assert "describe_dataset_import_job" in retries[0] and "ThrottlingException" in retries[0]
    assert "LimitExceededException" in retries[1]


def test_backoff_is_capped(hook_and_client):
    hook, client = hook_and_client
    sleeps = recorded_sleeps(hook)
    client.describe_dataset_import_job.side_effect = [client_error("ThrottlingException")] * 12 + [
        {"datasetImportJob": {}}
    ]
    hook.describe(DATASET_IMPORT_JOB, IMPORT_ARN)
    assert max(sleeps) <= 20


def test_rate_limits_past_the_budget_raise_the_last_answer(hook_and_client):
    hook, client = hook_and_client
    hook.rate_limit_policy = RateLimitPolicy(base_delay=0, budget_seconds=0)
    client.describe_dataset_import_job.side_effect = client_error("ThrottlingException", "Rate exceeded")
    with pytest.raises(ClientError, match="Rate exceeded"):
        hook.describe(DATASET_IMPORT_JOB, IMPORT_ARN)
    client.describe_dataset_import_job.assert_called_once()


def test_other_errors_are_raised_at_once(hook_and_client):
    hook, client = hook_and_client
    sleeps = recorded_sleeps(hook)
    client.describe_dataset_import_job.side_effect = client_error("ResourceNotFoundException")
    with pytest.raises(ClientError):
        hook.describe(DATASET_IMPORT_JOB, IMPORT_ARN)
    assert sleeps == []
    client.describe_dataset_import_job.assert_called_once()


def test_every_helper_rides_out_rate_limits(hook_and_client):
    hook, client = hook_and_client
    recorded_sleeps(hook)
    throttled = client_error("LimitExceededException", "Rate exceeded")
    client.list_dataset_import_jobs.side_effect = [throttled, {"datasetImportJobs": []}]
    client.delete_dataset_group.side_effect = [throttled, {}]
    client.get_solution_metrics.side_effect = [throttled, {"metrics": {"coverage": 1.0}}]
    assert list(hook.list_summaries(DATASET_IMPORT_JOB)) == []
    assert hook.delete(DATASET_GROUP, "arn:aws:personalize:us-east-1:123456789012:dataset-group/g")
    assert hook.solution_metrics("arn:v") == {"coverage": 1.0}


def test_a_create_refused_by_a_quota_raises_at_once_naming_the_quota(hook_and_client):
    hook, client = hook_and_client
    sleeps = recorded_sleeps(hook)
    client.create_dataset_import_job.side_effect = client_error("LimitExceededException", QUOTA)
    with pytest.raises(PendingJobsQuotaError) as raised:
        hook.create(DATASET_IMPORT_JOB, {"jobName": "j"})
    assert raised.value.kind is DATASET_IMPORT_JOB
    assert "at most 5 dataset import jobs pending or in progress per region" in str(raised.value)
    assert QUOTA in str(raised.value)
    assert sleeps == []
    client.create_dataset_import_job.assert_called_once()


def test_the_policy_is_read_from_airflows_configuration(monkeypatch):
    monkeypatch.setenv("AIRFLOW__PERSONALIZE__RATE_LIMIT_BASE_DELAY", "0.1")
    monkeypatch.setenv("AIRFLOW__PERSONALIZE__RATE_LIMIT_MAX_DELAY", "2")
    monkeypatch.setenv("AIRFLOW__PERSONALIZE__RATE_LIMIT_BUDGET", "30")
    policy = PersonalizeHook(aws_conn_id=None).rate_limit_policy
    assert policy == RateLimitPolicy(base_delay=0.1, max_delay=2.0, budget_seconds=30.0)


# Interrupted


def test_an_interrupted_hook_stops_sleeping_at_once():
    hook = PersonalizeHook(aws_conn_id=None)
    hook.interrupt()
    with pytest.raises(PersonalizeWaitInterruptedError, match="told to stop"):
        hook.sleep(3600)


@pytest.mark.timeout(30)
def test_a_signal_handler_interrupts_a_sleep_under_way():
    # As the task runner's SIGTERM handler calls the operator's on_kill: here a real signal, one second
    # into an hour's sleep. Broken, the test would sleep until its timeout.
    hook = PersonalizeHook(aws_conn_id=None)
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: hook.interrupt())
    try:
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        with pytest.raises(PersonalizeWaitInterruptedError):
            hook.sleep(3600)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

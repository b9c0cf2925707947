"""Contracts with the private internals of our dependencies, the reason for their upper bounds in
pyproject.toml: a release that changes one fails here, loudly, rather than in a user's triggerer.

The trigger's shared client (triggers/_shared_client.py) builds its botocore Config with the amazon
provider's ``AwsBaseHook._get_config()`` (apache-airflow-providers-amazon <10), and moves the refresh of
assume-role credentials off the event loop through aiobotocore's ``session._credentials`` and their
``_refresh_using`` (aiobotocore <4). STS is the in-process emulator's (moto's).

The hooks find the User-Agent's caller as ``AwsBaseHook._get_caller`` does, without its
``inspect.stack()`` (hooks/caller.py): the tests compare both answers where upstream gives each of its
kinds of answer, and check that the User-Agent still carries ours.

The hooks share botocore's service models across sessions through a boto3 session's ``_session``
(hooks/service_models.py). No upper bound for that one: without it clients are built as before, only
slower; this test says when.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import botocore.session
import pytest
from aiobotocore.credentials import AioRefreshableCredentials
from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook
from botocore.config import Config

from airflow_provider_personalize.hooks.personalize import PersonalizeHook

ROLE_ARN = "arn:aws:iam::123456789012:role/personalize-pipeline"


def test_the_hooks_private_get_config_is_a_botocore_config_with_the_hooks_settings_and_airflows_tag():
    hook = PersonalizeHook(aws_conn_id=None, config={"retries": {"max_attempts": 7}, "connect_timeout": 5})

    config = hook._get_config()

    assert isinstance(config, Config)
    assert config.retries == {"max_attempts": 7}
    assert config.connect_timeout == 5
    assert "Airflow" in config.user_agent_extra


def test_an_assume_role_sessions_private_credentials_refresh_through_a_synchronous_callable(
    personalize_mock, monkeypatch
):
    connection = {
        "conn_type": "aws",
        "login": "testing",
        "password": "testing",
        "extra": {"role_arn": ROLE_ARN, "region_name": "us-east-1"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_PERSONALIZE_ASSUMED", json.dumps(connection))
    hook = PersonalizeHook(aws_conn_id="personalize_assumed")

    session = hook.get_session(region_name="us-east-1", deferrable=True)

    credentials = session._credentials
    assert isinstance(credentials, AioRefreshableCredentials)
    assert callable(credentials._refresh_using)
    assert not inspect.iscoroutinefunction(credentials._refresh_using)


def test_a_boto3_session_of_the_hook_holds_its_botocore_session_in_private_session():
    session = PersonalizeHook(aws_conn_id=None, region_name="us-east-1").get_session()

    assert isinstance(session._session, botocore.session.Session)


def both_answers() -> tuple[str, str]:
    """Our hook's caller and upstream's, for a hook created where this is called: both search the frames
    above it."""
    hook = PersonalizeHook(aws_conn_id=None, region_name="us-east-1")
    return hook._get_caller(), AwsBaseHook._get_caller(hook)


class PersonalizeImportOperator:
    def execute(self) -> tuple[str, str]:
        return both_answers()


class BaseSensorOperator:
    """Named as Airflow's: upstream then names the class whose ``poke`` is nearest instead."""

    def __init__(self, poker: Any = None) -> None:
        self.poker = poker or self

    def execute(self) -> tuple[str, str]:
        return self.poker.poke()

    def poke(self) -> tuple[str, str]:
        raise NotImplementedError


class PersonalizeImportSensor(BaseSensorOperator):
    def poke(self) -> tuple[str, str]:
        return both_answers()


class ImportPoker:
    def poke(self) -> tuple[str, str]:
        return both_answers()


def execute() -> tuple[str, str]:
    """An ``execute`` without a ``self``: upstream cannot tell the caller."""
    return both_answers()


EXECUTOR_MODULE = """
class BaseExecutor:
    pass

class CeleryExecutor(BaseExecutor):
    def heartbeat(self):
        return both_answers()
"""


def executor_answers() -> tuple[str, str]:
    """The answers in a module that defines an executor, as Airflow's executors' modules do."""
    namespace: dict[str, Any] = {"both_answers": both_answers}
    exec(EXECUTOR_MODULE, namespace)
    answers: tuple[str, str] = namespace["CeleryExecutor"]().heartbeat()
    return answers


@pytest.mark.parametrize(
    ("call", "caller"),
    [
        (lambda: PersonalizeImportOperator().execute(), "PersonalizeImportOperator"),
        (lambda: PersonalizeImportSensor().execute(), "PersonalizeImportSensor"),
        (lambda: BaseSensorOperator(ImportPoker()).execute(), "ImportPoker"),
        (execute, "Unknown"),
        (executor_answers, "CeleryExecutor"),
    ],
    ids=["operator", "sensor", "base-sensor-poked", "execute-without-self", "executor"],
)
def test_the_hooks_caller_is_the_amazon_providers_found_without_inspect_stack(call, caller):
    ours, upstream = call()

    assert ours == upstream == caller


def test_the_user_agent_names_the_operator_that_created_the_hook():
    class PersonalizeDeployOperator:
        def execute(self) -> Config:
            return PersonalizeHook(aws_conn_id=None, region_name="us-east-1")._get_config()

    config = PersonalizeDeployOperator().execute()

    assert "Caller/PersonalizeDeployOperator" in config.user_agent_extra.split()

"""Contracts with the private internals of our dependencies, the reason for their upper bounds in
pyproject.toml: a release that changes one fails here, loudly, rather than in a user's triggerer.

The trigger's shared client (triggers/_shared_client.py) builds its botocore Config with the amazon
provider's ``AwsBaseHook._get_config()`` (apache-airflow-providers-amazon <10), and moves the refresh of
assume-role credentials off the event loop through aiobotocore's ``session._credentials`` and their
``_refresh_using`` (aiobotocore <4). STS is the in-process emulator's (moto's).

The hooks share botocore's service models across sessions through a boto3 session's ``_session``
(hooks/service_models.py). No upper bound for that one: without it clients are built as before, only
slower; this test says when.
"""

from __future__ import annotations

import inspect
import json

import botocore.session
from aiobotocore.credentials import AioRefreshableCredentials
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

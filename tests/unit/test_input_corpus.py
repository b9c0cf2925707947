"""The corpus of realistic inputs (tests/input_corpus.py), run as a worker runs a task.

Bad input: the task fails before any request is sent (a real botocore client's ``before-send`` handler
records and stops every request, so nothing can be created), with a ValueError naming the parameter.
Valid-but-unusual input AWS accepts: validation lets it through, and its first request is sent.
"""

from __future__ import annotations

import inspect

import pytest
from airflow.sdk import BaseOperator

from airflow_provider_personalize.operators import personalize as operators
from tests.input_corpus import BAD, GOOD, client, run


@pytest.fixture(scope="module")
def personalize():
    return client()


@pytest.mark.parametrize("case", BAD, ids=[case.id for case in BAD])
def test_bad_input_fails_the_task_before_any_request_naming_its_parameter(case, personalize):
    outcome = run(case, personalize)
    assert not outcome.sent, f"{case.id}: reached the service ({outcome.requests})"
    assert isinstance(outcome.error, ValueError), f"{case.id}: {outcome.error!r}"
    assert outcome.names(case.parameter), f"{case.id}: {case.parameter} not named in: {outcome.error}"


@pytest.mark.parametrize("case", GOOD, ids=[case.id for case in GOOD])
def test_valid_unusual_input_aws_accepts_reaches_the_service(case, personalize):
    outcome = run(case, personalize)
    assert outcome.error is None, f"{case.id}: refused: {outcome.error}"
    assert outcome.sent


def test_the_bad_corpus_covers_every_operator():
    declared = {
        cls
        for _, cls in inspect.getmembers(operators, inspect.isclass)
        if issubclass(cls, BaseOperator) and cls.__module__ == operators.__name__
    }
    assert len(declared) == 20
    assert {case.operator for case in BAD} == declared
    assert len(BAD) >= 90

"""A local Amazon Personalize service: a moto extension.

``mock_personalize()`` serves it in-process (boto3 and aiobotocore); the ``personalize-emulator``
command serves it over HTTP together with moto's S3, IAM and STS. The package is layered:
``engine`` (pure data work), ``service`` (the moto service), ``harness`` (what plugs the service into
moto, and the ways to run it). Importing this package imports nothing from moto, so that the pytest
plugin costs a pytest run nothing until a fixture is used.
"""

from typing import Any

__all__ = ["mock_personalize"]


def __getattr__(name: str) -> Any:
    if name == "mock_personalize":
        from .harness.mock import mock_personalize

        return mock_personalize
    raise AttributeError(name)

"""A local Amazon Personalize service: a moto extension.

``mock_personalize()`` serves it in-process (boto3 and aiobotocore); the ``personalize-emulator``
console script serves it over HTTP together with moto's S3, IAM and STS. Importing this package
imports nothing from moto, so that the pytest plugin loads where moto is not installed.
"""

from typing import Any

__all__ = ["install", "mock_personalize"]


def __getattr__(name: str) -> Any:
    if name == "mock_personalize":
        from .mock import mock_personalize

        return mock_personalize
    if name == "install":
        from .install import install

        return install
    raise AttributeError(name)

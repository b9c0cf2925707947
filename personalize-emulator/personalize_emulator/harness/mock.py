"""In-process mode: ``mock_personalize()``, moto's ``mock_aws()`` with the emulator installed.

boto3 and aiobotocore clients created inside it reach the emulator (and moto's S3, IAM, STS ...) without
an endpoint URL; see ``patches.py`` for what installing changes in moto.
"""

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, overload

from moto import mock_aws

from .patches import install, serve_aiobotocore_in_process

F = TypeVar("F", bound=Callable[..., Any])


@overload
def mock_personalize(func: None = None) -> Any: ...
@overload
def mock_personalize(func: F) -> F: ...
def mock_personalize(func: F | None = None) -> Any:
    """Mock AWS in-process, with the Personalize emulator; a context manager or a decorator.

    Works as moto's ``mock_aws``: ``with mock_personalize(): ...`` or ``@mock_personalize`` on a
    function, a coroutine function or a test class. Serves boto3 and aiobotocore clients alike.
    """
    install()
    serve_aiobotocore_in_process()
    if func is None:
        return mock_aws()
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def run_mocked(*args: Any, **kwargs: Any) -> Any:
            with mock_aws():
                return await func(*args, **kwargs)

        return run_mocked
    return mock_aws(func)

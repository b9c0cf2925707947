"""In-process mode: ``mock_personalize()``, moto's ``mock_aws()`` with the emulator installed.

moto intercepts botocore's ``before-send`` event and returns a botocore ``AWSResponse`` whose
``content`` is plain bytes. aiobotocore awaits ``http_response.content``, so under plain ``mock_aws()``
every aiobotocore call fails with "object bytes can't be used in 'await' expression". We make moto
build responses whose ``content`` is bytes that can also be awaited, which serves both clients.
S3 object bodies (uploads and downloads are streams) are not covered through aiobotocore in-process:
use boto3 for those, or server mode.
"""

import functools
import inspect
from collections.abc import Callable, Generator
from typing import Any, TypeVar, overload

from .install import install

F = TypeVar("F", bound=Callable[..., Any])


class AwaitableBytes(bytes):
    """Bytes that can also be awaited (yielding themselves), for aiobotocore."""

    def __await__(self) -> Generator[None, None, bytes]:
        return bytes(self)
        yield  # makes this a generator function, as ``__await__`` must be


def _install_awaitable_stub_responses() -> None:
    import moto.core.botocore_stubber as stubber
    from botocore.awsrequest import AWSResponse

    if getattr(stubber.AWSResponse, "serves_aiobotocore", False):
        return

    class AsyncCompatibleAWSResponse(AWSResponse):
        serves_aiobotocore = True

        @property
        def content(self) -> bytes:
            return AwaitableBytes(super().content)

    stubber.AWSResponse = AsyncCompatibleAWSResponse


@overload
def mock_personalize(func: None = None) -> Any: ...
@overload
def mock_personalize(func: F) -> F: ...
def mock_personalize(func: F | None = None) -> Any:
    """Mock AWS in-process, with the Personalize emulator; a context manager or a decorator.

    Works as moto's ``mock_aws``: ``with mock_personalize(): ...`` or ``@mock_personalize`` on a
    function, a coroutine function or a test class. Serves boto3 and aiobotocore clients alike.
    """
    from moto import mock_aws

    install()
    _install_awaitable_stub_responses()
    if func is None:
        return mock_aws()
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def run_mocked(*args: Any, **kwargs: Any) -> Any:
            with mock_aws():
                return await func(*args, **kwargs)

        return run_mocked
    return mock_aws(func)

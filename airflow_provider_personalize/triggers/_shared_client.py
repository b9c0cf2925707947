"""One aiobotocore Personalize client per connection, shared by every trigger of the event loop.

A triggerer may hold thousands of waits on the same connection. A client each would cost a session, a
service model, a connection pool and (for an assume-role connection) an STS call per wait; one shared
client costs them once. The client is opened by its first user, reference-counted, and closed when its
last user leaves, by finishing or by being cancelled (the triggerer cancels triggers it no longer needs).

Building the client needs the Airflow connection, which is looked up synchronously (database, secrets
backend or the triggerer's supervisor), and for an assume-role connection a synchronous STS call: both
run in a worker thread, never on the event loop. ``PersonalizeHook`` (an ``AwsBaseHook``) builds the
session, so every kind of AWS connection works as it does elsewhere in Airflow; its refreshable
assume-role credentials keep refreshing for as long as the client lives, their synchronous STS refresh
moved to a thread as well.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from aiobotocore.credentials import AioRefreshableCredentials

from airflow_provider_personalize.hooks.personalize import PersonalizeHook

SERVICE_NAME = PersonalizeHook.client_type

log = logging.getLogger(__name__)


class ClientKey(NamedTuple):
    """What makes two clients different; triggers with equal keys share one client."""

    aws_conn_id: str | None
    region_name: str | None
    verify: bool | str | None
    botocore_config_json: str | None

    @classmethod
    def of(
        cls,
        aws_conn_id: str | None,
        region_name: str | None,
        verify: bool | str | None,
        botocore_config: dict[str, Any] | None,
    ) -> ClientKey:
        # A dict is not hashable; its canonical JSON is, and equal configurations give equal text.
        config_json = json.dumps(botocore_config, sort_keys=True, default=str) if botocore_config else None
        return cls(aws_conn_id, region_name or None, verify, config_json)


class ClientOpeningError(Exception):
    """The shared client could not be built (connection, credentials or configuration)."""


@dataclass(eq=False)
class _SharedClient:
    opening: asyncio.Future[tuple[Any, Any]]
    users: int = field(default=0)


_clients: dict[ClientKey, _SharedClient] = {}
# Closing tasks outlive the user that started them (it may be cancelled): keep them referenced.
_closing: set[asyncio.Task[None]] = set()


def open_client_count() -> int:
    """How many shared clients are open or opening (for tests and benchmarks)."""
    return len(_clients)


@asynccontextmanager
async def shared_personalize_client(key: ClientKey) -> AsyncIterator[Any]:
    """Lease the shared aiobotocore Personalize client for ``key``; opened on first use.

    :raises ClientOpeningError: the client could not be built; the next lease tries again.
    """
    shared = _clients.get(key)
    if shared is None:
        # Checking and inserting with no await in between: concurrent first users find this entry.
        shared = _SharedClient(asyncio.ensure_future(_open(key)))
        shared.opening.add_done_callback(lambda opening: _forget_if_failed(key, shared, opening))
        _clients[key] = shared
    shared.users += 1
    try:
        # Shielded: one user cancelled while the client opens must not cancel it for the others.
        _, client = await asyncio.shield(shared.opening)
        yield client
    finally:
        shared.users -= 1
        if shared.users == 0:
            _forget(key, shared)
            closing = asyncio.ensure_future(_close(shared))
            _closing.add(closing)
            closing.add_done_callback(_closing.discard)
            # Shielded: a cancelled last user still closes the connection pool.
            await asyncio.shield(closing)


def _forget(key: ClientKey, shared: _SharedClient) -> None:
    if _clients.get(key) is shared:
        del _clients[key]


def _forget_if_failed(key: ClientKey, shared: _SharedClient, opening: asyncio.Future[Any]) -> None:
    # A failed opening is not cached: the next trigger to arrive tries again.
    if opening.cancelled() or opening.exception() is not None:
        _forget(key, shared)


async def _open(key: ClientKey) -> tuple[Any, Any]:
    try:
        creator = await asyncio.to_thread(_client_creator, key)
        client = await creator.__aenter__()
    except Exception as error:
        raise ClientOpeningError(
            f"Could not create a Personalize client for connection {key.aws_conn_id!r} "
            f"(region {key.region_name!r}): {type(error).__name__}: {error}"
        ) from error
    return creator, client


async def _close(shared: _SharedClient) -> None:
    try:
        creator, _ = await shared.opening
    except ClientOpeningError:
        return
    try:
        await creator.__aexit__(None, None, None)
    except Exception:
        # The waits are over and their events computed: a connection pool that closes badly must not
        # turn the last one's result into an error.
        log.warning("Closing a shared Personalize client failed", exc_info=True)


def _client_creator(key: ClientKey) -> Any:
    """Build, in a worker thread, the aiobotocore client context for ``key``."""
    botocore_config = json.loads(key.botocore_config_json) if key.botocore_config_json else None
    hook = PersonalizeHook(
        aws_conn_id=key.aws_conn_id, region_name=key.region_name, verify=key.verify, config=botocore_config
    )
    session = hook.get_session(region_name=hook.region_name, deferrable=True)
    _refresh_in_thread(getattr(session, "_credentials", None))
    # Loading the service model parses large JSON files: here, so that the loop finds them cached.
    session.warm_up_loader_caches(SERVICE_NAME)
    return session.create_client(
        service_name=SERVICE_NAME,
        endpoint_url=hook.conn_config.get_service_endpoint_url(service_name=SERVICE_NAME),
        config=hook._get_config(),
        verify=hook.verify,
    )


def _refresh_in_thread(credentials: object) -> None:
    """Make refreshable credentials call their synchronous refresh (an STS request) in a thread.

    aiobotocore calls ``refresh_using`` on the event loop and awaits its result if it is awaitable; the
    amazon provider's assume-role refresh is a synchronous boto3 STS call, which would block every
    trigger of the triggerer for the length of a round trip to STS, once an hour per connection.
    """
    if not isinstance(credentials, AioRefreshableCredentials):
        return
    refresh: Callable[[], Any] = credentials._refresh_using
    if inspect.iscoroutinefunction(refresh):
        return

    async def refresh_in_thread() -> Any:
        return await asyncio.to_thread(refresh)

    credentials._refresh_using = refresh_in_thread

"""Every change the emulator makes to moto, and every use of moto's internals: in this module only.

moto has no plugin mechanism for services, so installing the emulator means changing moto at run time. Each
patch below names what it replaces and why; ``tests/test_moto_contracts.py`` has a test per patch that fails,
naming the patch, when a moto release changes what it relies on (pyproject pins moto to a minor range).

- :func:`install` (both modes; idempotent):

  1. the Personalize backends: ``moto.backends.get_backend("personalize")`` reads the attribute
     ``personalize_backends`` of ``moto.personalize``, and moto's own Personalize models and responses
     modules read theirs at call time: all three become the emulator's;
  2. routing: moto's table of URL patterns (``moto.backend_index.backend_url_patterns``, tried in order on
     every in-process request) gets the emulator's three hosts, first, for the service ``personalize``;
  3. the fault-injection and internal-failures routes beside moto's own ``/moto-api`` routes, which both
     modes serve unsigned;
  4. ``moto.core.responses.method_names_from_class``, which lists a response class's methods
     (``inspect.getmembers``) on every request, remembers its answer: classes do not change once imported,
     and the listing was a third of an in-process describe's time;
  5. request ids: moto's ``BaseResponse._enrich_response`` draws a 52-letter id for every response; the
     emulator's responses carry a UUID, as Personalize's do (and cheaper to draw);
  6. reading S3 objects: the jobs read a stored object a chunk at a time from moto's key buffer (its
     ``FakeKey._value_buffer``, under the key's ``lock``), where moto's public ``value`` copies it whole;
  7. moto's server routes every request (``DomainDispatcherApplication.get_backend_for_host``, under one
     lock for all requests) through ``moto.backends.list_of_moto_modules``, which lists and stats moto's
     ~180 package directories at every call: two thirds of a millisecond a request. The listing is
     remembered; moto's packages do not change while it runs.

  Server mode caches one Flask app per service at the first request, so ``install()`` runs before the
  server serves anything. Every call also (re-)reads ``PERSONALIZE_EMULATOR_STEP_SECONDS`` into the default
  transitions, so that each ``mock_personalize()`` honours the environment of its moment.

- :func:`keep_what_moto_reads` (server mode): what moto's server reads from werkzeug's server, put in the
  WSGI environ by any server: the request URI as sent (``RAW_URI``, which ``moto.core.request.Request``
  reads for S3 keys with encoded characters), and S3 metadata headers with underscores in their names under
  their own spelling (``moto.core.request``'s preserved header names, as moto's ``MotoRequestHandler``
  keeps them for werkzeug).

- :func:`serve_aiobotocore_in_process` (in-process mode): moto answers botocore's ``before-send`` event with a
  botocore ``AWSResponse`` whose ``content`` is bytes; aiobotocore awaits ``http_response.content``, so under
  plain ``mock_aws()`` every aiobotocore call fails with "object bytes can't be used in 'await' expression".
  moto's stubber builds its responses from a class whose ``content`` is bytes that can also be awaited,
  which serves both clients. S3 object bodies (streams) are not covered through aiobotocore in-process: use
  boto3 for those, or server mode.
"""

import functools
import re
from collections.abc import Generator, Iterator
from typing import Any

import moto.backend_index
import moto.backends
import moto.core.botocore_stubber
import moto.core.responses
import moto.moto_api._internal.urls
import moto.personalize
import moto.personalize.models
import moto.personalize.responses
from botocore.awsrequest import AWSResponse
from moto.core.request import (
    PRESERVED_HEADER_NAMES_ENVIRON_KEY,
    environ_key_for_header,
    should_preserve_original_header_name,
)
from moto.moto_api._internal import mock_random

from ..service import lifecycle, storage, urls
from ..service.kinds import KINDS
from ..service.models import personalize_backends
from ..service.responses import EmulatorResponse
from . import faults, internal_failures

S3_CHUNK_BYTES = 1 << 20

_installed = False


def install() -> None:
    """Replace moto's schema-only Personalize backend with the emulator's (idempotent)."""
    global _installed
    lifecycle.register_default_transitions([kind.arn_resource_type for kind in KINDS.values()])
    if _installed:
        return
    for module in (moto.personalize, moto.personalize.models, moto.personalize.responses):
        module.personalize_backends = personalize_backends  # type: ignore[attr-defined]
    route_personalize_first(moto.backend_index.backend_url_patterns, urls.url_bases)
    moto.moto_api._internal.urls.url_paths[f"{{0}}{faults.ROUTE}$"] = faults.faults_route
    moto.moto_api._internal.urls.url_paths[f"{{0}}{internal_failures.ROUTE}$"] = (
        internal_failures.internal_failures_route
    )
    moto.core.responses.method_names_from_class = functools.cache(moto.core.responses.method_names_from_class)
    EmulatorResponse._enrich_response = staticmethod(uuid_request_id)  # type: ignore[method-assign]
    storage.read_object_chunks = stream_s3_object
    moto_modules = tuple(moto.backends.list_of_moto_modules())
    moto.backends.list_of_moto_modules = lambda: moto_modules
    _installed = True


def route_personalize_first(patterns: list[tuple[str, re.Pattern[str]]], url_bases: list[str]) -> None:
    """Put Personalize's URL patterns first in moto's routing table.

    In-process, moto tries the table's patterns (one per service, ~180) in order on every request; ours
    first makes Personalize requests cheap and costs every other service one failed match.
    """
    ours = [(service, pattern) for service, pattern in patterns if service == "personalize"]
    known = {pattern.pattern for _, pattern in ours}
    ours += [("personalize", re.compile(url_base)) for url_base in url_bases if url_base not in known]
    patterns[:] = ours + [(service, pattern) for service, pattern in patterns if service != "personalize"]


def uuid_request_id(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
    """``BaseResponse._enrich_response`` for the emulator: a UUID request id, and moto's status as text."""
    if "status" in headers:
        headers["status"] = str(headers["status"])
    headers["x-amzn-requestid"] = str(mock_random.uuid4())
    return headers, body


def stream_s3_object(key: Any) -> Iterator[bytes]:
    """A moto S3 object's bytes, a chunk at a time, never the whole object at once."""
    position = 0
    while True:
        with key.lock:
            key._value_buffer.seek(position)
            chunk = key._value_buffer.read(S3_CHUNK_BYTES)
        if not chunk:
            return
        position += len(chunk)
        yield chunk


def keep_what_moto_reads(
    environ: dict[str, Any], request_uri: str, underscored_headers: list[tuple[str, str]]
) -> None:
    """Add to a WSGI environ the raw URI and the S3 metadata headers with underscores, as moto reads them.

    ``underscored_headers``: the request's headers with an underscore in their name, which the server left
    out of the environ. As moto's ``MotoRequestHandler`` does, an underscored header never stands in for a
    dashed one that maps to the same environ key.
    """
    environ.setdefault("RAW_URI", request_uri)
    names: dict[str, str] = {}
    values: dict[str, list[str]] = {}
    for name, value in underscored_headers:
        key = environ_key_for_header(name)
        if should_preserve_original_header_name(name) and key not in environ:
            names.setdefault(key, name)
            values.setdefault(key, []).append(value)
    environ.update({key: ",".join(key_values) for key, key_values in values.items()})
    environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = names


class AwaitableBytes(bytes):
    """Bytes that can also be awaited (yielding themselves), for aiobotocore."""

    def __await__(self) -> Generator[None, None, bytes]:
        return bytes(self)
        yield  # noqa: V201 makes this a generator function, as ``__await__`` must be


def serve_aiobotocore_in_process() -> None:
    """Make moto's in-process responses serve aiobotocore as well as botocore (idempotent)."""
    stubber = moto.core.botocore_stubber
    if getattr(stubber.AWSResponse, "serves_aiobotocore", False):
        return

    class AsyncCompatibleAWSResponse(AWSResponse):
        serves_aiobotocore = True

        @property
        def content(self) -> bytes:
            return AwaitableBytes(super().content)

    stubber.AWSResponse = AsyncCompatibleAWSResponse

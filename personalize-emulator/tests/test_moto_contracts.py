"""Contracts with moto: a test per patch of ``harness/patches.py``, and the state manager the lifecycles read.

Each test asserts that what a patch replaces or reads still exists and behaves as the patch assumes, then
that the patch takes effect, so that a moto release which changes it fails here, naming the patch, rather
than somewhere in the emulator's behaviour.
"""

import inspect
import re
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import moto.backend_index
import moto.backends
import moto.core.botocore_stubber
import moto.core.responses
import moto.moto_api._internal.urls
import moto.personalize
import moto.personalize.models
import moto.personalize.responses
import pytest
from botocore.awsrequest import AWSResponse
from moto.core.base_backend import BackendDict
from moto.core.responses import BaseResponse
from moto.moto_api import state_manager
from moto.s3.models import FakeKey

from personalize_emulator.harness import patches
from personalize_emulator.harness.faults import ROUTE
from personalize_emulator.service import urls
from personalize_emulator.service.models import PersonalizeEmulatorBackend, personalize_backends
from personalize_emulator.service.responses import EmulatorResponse

PERSONALIZE_MODULES = (moto.personalize, moto.personalize.models, moto.personalize.responses)


@pytest.fixture
def installed() -> None:
    patches.install()


def test_moto_reads_the_personalize_backends_from_the_replaced_attributes(installed: None) -> None:
    assert issubclass(PersonalizeEmulatorBackend, moto.personalize.models.PersonalizeBackend)
    for module in PERSONALIZE_MODULES:
        assert isinstance(module.personalize_backends, BackendDict), module.__name__
        assert module.personalize_backends is personalize_backends, module.__name__
    assert moto.backends.get_backend("personalize") is personalize_backends


def test_moto_routes_by_its_table_of_url_patterns_ours_first(installed: None, personalize_mock: None) -> None:
    patterns = moto.backend_index.backend_url_patterns
    assert all(isinstance(service, str) and isinstance(pattern, re.Pattern) for service, pattern in patterns)
    assert [pattern.pattern for _, pattern in patterns[: len(urls.url_bases)]] == urls.url_bases
    assert {service for service, _ in patterns[: len(urls.url_bases)]} == {"personalize"}
    runtime = boto3.client("personalize-runtime", region_name="us-east-1")
    with pytest.raises(runtime.exceptions.ResourceNotFoundException):  # served in-process, by its host
        runtime.get_recommendations(campaignArn="arn:aws:personalize:us-east-1:123456789012:campaign/none")


def test_moto_api_routes_are_a_table_of_handlers_of_request_url_and_headers(installed: None) -> None:
    paths = moto.moto_api._internal.urls.url_paths
    assert "{0}/moto-api/state-manager/set-transition" in paths  # moto's own routes, in the shape ours takes
    handler = paths[f"{{0}}{ROUTE}$"]
    assert list(inspect.signature(handler).parameters) == ["request", "full_url", "headers"]


def test_every_request_lists_the_response_class_methods_through_the_patched_function(
    installed: None, personalize_mock: None
) -> None:
    listing = moto.core.responses.method_names_from_class
    assert hasattr(listing, "cache_info"), "method_names_from_class is not the remembering one"
    # call_action reads the function from moto.core.responses' globals at every call: the patch reaches it.
    assert BaseResponse.call_action.__globals__ is vars(moto.core.responses)
    assert "method_names_from_class" in BaseResponse.call_action.__code__.co_names
    before = listing.cache_info()
    personalize = boto3.client("personalize", region_name="us-east-1")
    personalize.list_dataset_groups()
    personalize.list_dataset_groups()
    after = listing.cache_info()
    assert after.hits + after.misses >= before.hits + before.misses + 2  # called on every request
    assert after.hits > before.hits  # and answered from memory


def test_responses_take_their_request_id_from_the_enrich_response_hook(
    installed: None, personalize_mock: None
) -> None:
    assert list(inspect.signature(BaseResponse._enrich_response).parameters) == ["headers", "body"]
    assert "_enrich_response" in BaseResponse.call_action.__code__.co_names
    assert EmulatorResponse._enrich_response is patches.uuid_request_id
    response = boto3.client("personalize", region_name="us-east-1").list_dataset_groups()
    assert uuid.UUID(response["ResponseMetadata"]["RequestId"])


def test_an_s3_object_is_read_in_chunks_from_the_key_buffer(installed: None) -> None:
    content = bytes(range(256)) * (patches.S3_CHUNK_BYTES // 256 * 2 + 3)  # two chunks and a bit
    key = FakeKey("data.csv", content, account_id="123456789012", region_name="us-east-1")
    try:
        assert callable(key._value_buffer.seek) and callable(key._value_buffer.read)
        assert hasattr(key.lock, "acquire") and hasattr(key.lock, "release")
        chunks = list(patches.stream_s3_object(key))
        assert [len(chunk) for chunk in chunks[:2]] == [patches.S3_CHUNK_BYTES] * 2 and len(chunks) == 3
        assert b"".join(chunks) == key.value == content
    finally:
        key.dispose()


def test_in_process_responses_are_built_from_the_stubber_module_response_class(
    installed: None, personalize_mock: None
) -> None:
    stubber = moto.core.botocore_stubber
    assert issubclass(stubber.AWSResponse, AWSResponse)
    assert "AWSResponse" in stubber.BotocoreStubber.__call__.__code__.co_names
    seen: list[Any] = []
    personalize = boto3.client("personalize", region_name="us-east-1")
    personalize.meta.events.register("after-call", lambda http_response, **_: seen.append(http_response))
    personalize.list_dataset_groups()
    assert seen and inspect.isawaitable(seen[0].content)


def test_the_server_routes_every_request_through_the_remembered_module_listing(installed: None) -> None:
    import moto.moto_server.werkzeug_app as werkzeug_app

    # get_backend_for_host reads the function from moto.backends at every call: the patch reaches it.
    assert werkzeug_app.backends is moto.backends
    routing = werkzeug_app.DomainDispatcherApplication.get_backend_for_host
    assert "list_of_moto_modules" in routing.__code__.co_names
    listing = moto.backends.list_of_moto_modules()
    assert listing is moto.backends.list_of_moto_modules()  # remembered, not listed again
    assert {"s3", "iam", "sts", "personalize"} <= set(listing)
    dispatcher = werkzeug_app.DomainDispatcherApplication(werkzeug_app.create_backend_app)
    assert dispatcher.get_backend_for_host("s3") == "s3"


def test_moto_reads_raw_uri_and_preserved_header_names_from_the_environ(installed: None) -> None:
    from moto.core.request import PRESERVED_HEADER_NAMES_ENVIRON_KEY, Request

    environ = {
        "REQUEST_METHOD": "PUT",
        "PATH_INFO": "/bucket/a/b.csv",  # as a server decodes ``a%2Fb.csv``
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "5000",
        "wsgi.url_scheme": "http",
        "HTTP_X_AMZ_META_BATCH_ID": "7",  # a dashed header the server put in the environ
    }
    patches.keep_what_moto_reads(
        environ,
        "/bucket/a%2Fb.csv",
        [("x-amz-meta-source_system", "crm"), ("x-amz-meta-batch_id", "stand-in"), ("x_forwarded", "spoof")],
    )
    request = Request(environ)
    assert request.raw_path == "/bucket/a%2Fb.csv"
    assert dict(request.headers) == {"x-amz-meta-source_system": "crm", "X-Amz-Meta-Batch-Id": "7"}
    preserved = {"HTTP_X_AMZ_META_SOURCE_SYSTEM": "x-amz-meta-source_system"}
    assert environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] == preserved


@pytest.fixture
def probe_model() -> Iterator[str]:
    model_name = "personalize::contract-probe"
    state_manager.register_default_transition(model_name, {"progression": "time", "seconds": 7})
    yield model_name
    state_manager.unset_transition(model_name)


def test_the_state_manager_gives_the_default_transition_until_one_is_set(probe_model: str) -> None:
    assert state_manager.get_transition(probe_model) == {"progression": "time", "seconds": 7}
    state_manager.set_transition(probe_model, {"progression": "manual", "times": 2})
    assert state_manager.get_transition(probe_model) == {"progression": "manual", "times": 2}
    state_manager.unset_transition(probe_model)
    assert state_manager.get_transition(probe_model) == {"progression": "time", "seconds": 7}

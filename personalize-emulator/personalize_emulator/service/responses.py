"""Request handling of the three Personalize APIs, one response class each.

Every request is served the same way: the faults in force apply (``faults.py``); the operation's handler is
found; the JSON body is validated against botocore's model of the API (``validation.py``); the handler's
dict, already shaped as botocore's output shape (timestamps as epoch seconds), is the JSON response, with
the API's content type: ``application/x-amz-json-1.1`` for the control plane (the JSON 1.1 protocol),
``application/json`` for the REST-JSON APIs; errors too. A request the emulator fails to serve (an
exception of its own) is answered with AWS's InternalFailure, HTTP 500, and recorded
(``internal_failures.py``): no request ever reaches the client as an unhandled exception.

- The control plane (``personalize``, JSON protocol: the operation is the X-Amz-Target action). Describe,
  List and Delete of a kind of ``kinds.KINDS`` go to the backend's generic methods; any other operation
  to the backend method of its snake_case name.
- personalize-runtime and personalize-events (REST-JSON; the operation comes from the method and path
  through botocore's model, moto's router): the operations ``runtime.py`` and ``events.py`` declare.

moto dispatches a request to the response method named as the operation, so each class has one for every
operation of botocore's model of its API; a handler is looked up when an operation is first served, not as
this module loads, so that a botocore release with new operations changes nothing until one is called. An
operation the emulator does not serve is answered with InvalidAction (HTTP 400), AWS's answer to an action
it does not know (https://docs.aws.amazon.com/personalize/latest/dg/CommonErrors.html), naming it.
"""

import functools
import json
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from moto.core.exceptions import JsonRESTError
from moto.core.responses import BaseResponse
from moto.core.utils import camelcase_to_underscores

from . import events, runtime
from .exceptions import InternalFailure, InvalidAction, SerializationException
from .faults import FAULTS
from .internal_failures import INTERNAL_FAILURES
from .kinds import KINDS, Kind
from .models import PersonalizeEmulatorBackend, personalize_backends
from .validation import service_model, validate_request

Params = dict[str, Any]
Handler = Callable[[PersonalizeEmulatorBackend, Params], Params]
Response = TypeVar("Response", bound="EmulatorResponse")


class EmulatorResponse(BaseResponse):
    """What the three APIs share; a subclass names its API and the operations it serves."""

    SERVICE_NAME: ClassVar[str]
    CONTENT_TYPE: ClassVar[str] = "application/json"
    OPERATIONS: ClassVar[dict[str, Handler]] = {}

    def __init__(self) -> None:
        super().__init__(service_name=self.SERVICE_NAME)

    @classmethod
    def dispatch(cls, request: Any, *args: Any, **kwargs: Any) -> Any:
        """moto's entry point for a request; an exception of the emulator's own becomes an InternalFailure."""
        try:
            return super().dispatch(request, *args, **kwargs)
        except Exception as error:
            target = request.headers.get("X-Amz-Target") or f"{request.method} {request.url}"
            failure = InternalFailure(INTERNAL_FAILURES.record(f"{cls.SERVICE_NAME} {target}", error))
            headers = {"Content-Type": cls.CONTENT_TYPE, "X-Amzn-ErrorType": "InternalFailure"}
            return failure.code, headers, failure.get_body()

    @property
    def emulator_backend(self) -> PersonalizeEmulatorBackend:
        return personalize_backends[self.current_account][self.region]

    @classmethod
    def handler(cls, operation: str) -> Handler | None:
        """The handler of ``operation``; None for one the emulator does not serve."""
        return cls.OPERATIONS.get(operation)

    def respond(self, operation: str) -> str:
        try:
            body = json.dumps(self._serve(operation))
        except JsonRESTError as error:
            error.content_type = self.CONTENT_TYPE
            raise
        self.response_headers["Content-Type"] = self.CONTENT_TYPE
        return body

    def _serve(self, operation: str) -> Params:
        FAULTS.before_request(operation)
        handler = self.handler(operation)
        if handler is None:
            raise InvalidAction(operation)
        try:
            params = json.loads(self.body) if self.body else {}
        except ValueError:
            raise SerializationException(f"The {operation} request body is not JSON.") from None
        validate_request(operation, params, self.SERVICE_NAME)
        return handler(self.emulator_backend, params)


def serving_every_operation(cls: type[Response]) -> type[Response]:
    """Give ``cls`` a response method for every operation of botocore's model of its API."""

    def method(operation: str) -> Callable[[EmulatorResponse], str]:
        def serve(self: EmulatorResponse) -> str:
            return self.respond(operation)

        serve.__name__ = camelcase_to_underscores(operation)
        return serve

    for operation in service_model(cls.SERVICE_NAME).operation_names:
        setattr(cls, camelcase_to_underscores(operation), method(operation))
    return cls


# Operations on any kind, by verb: the backend's generic method that serves them.
GENERIC_METHODS = {
    "Describe": PersonalizeEmulatorBackend.describe_resource,
    "List": PersonalizeEmulatorBackend.list_resources,
    "Delete": PersonalizeEmulatorBackend.delete_resource,
}


def _generic(
    method: Callable[[PersonalizeEmulatorBackend, Kind, Params], Params],
    kind: Kind,
    backend: PersonalizeEmulatorBackend,
    params: Params,
) -> Params:
    return method(backend, kind, params)


@serving_every_operation
class PersonalizeEmulatorResponse(EmulatorResponse):
    SERVICE_NAME = "personalize"
    CONTENT_TYPE = "application/x-amz-json-1.1"

    @classmethod
    @functools.cache
    def handler(cls, operation: str) -> Handler | None:
        for verb, generic_method in GENERIC_METHODS.items():
            noun = operation.removeprefix(verb)
            if verb == "List":
                noun = noun.removesuffix("s")
            kind = KINDS.get(noun) if operation.startswith(verb) else None
            if kind is not None:
                return functools.partial(_generic, generic_method, kind)
        method: Handler | None = getattr(
            PersonalizeEmulatorBackend, camelcase_to_underscores(operation), None
        )
        return method


@serving_every_operation
class PersonalizeRuntimeResponse(EmulatorResponse):
    SERVICE_NAME = "personalize-runtime"
    OPERATIONS: ClassVar[dict[str, Handler]] = {
        "GetRecommendations": runtime.get_recommendations,
        "GetPersonalizedRanking": runtime.get_personalized_ranking,
        "GetActionRecommendations": runtime.get_action_recommendations,
    }


@serving_every_operation
class PersonalizeEventsResponse(EmulatorResponse):
    SERVICE_NAME = "personalize-events"
    OPERATIONS: ClassVar[dict[str, Handler]] = {
        "PutEvents": events.put_events,
        "PutItems": events.put_items,
        "PutUsers": events.put_users,
        "PutActions": events.put_actions,
        "PutActionInteractions": events.put_action_interactions,
    }

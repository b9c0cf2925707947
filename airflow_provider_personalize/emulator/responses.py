"""Request handling: one method per Personalize operation, each generated from the kinds table.

Every request is validated against botocore's model first (``validation``), then handed to the backend:
Describe/List/Delete of a kind go to the backend's generic methods (``GENERIC_METHODS``); every
other operation to the backend method of its snake_case name. Responses are JSON, timestamps as epoch
seconds, shaped as botocore's output shapes (the backend projects resources onto them).
"""

import functools
import json
from collections.abc import Callable
from typing import Any

from moto.core.utils import camelcase_to_underscores
from moto.moto_api._internal import mock_random
from moto.personalize.responses import PersonalizeResponse

from . import faults
from .kinds import KINDS, Kind
from .models import PersonalizeEmulatorBackend, personalize_backends
from .validation import service_model, validate_request

Route = Callable[[PersonalizeEmulatorBackend, dict[str, Any]], dict[str, Any]]


# Operations on any kind, by verb: the backend's generic method that serves them.
GENERIC_METHODS = {
    "Describe": PersonalizeEmulatorBackend.describe_resource,
    "List": PersonalizeEmulatorBackend.list_resources,
    "Delete": PersonalizeEmulatorBackend.delete_resource,
}


def _route(operation: str) -> Route:
    for verb, generic_method in GENERIC_METHODS.items():
        noun = operation.removeprefix(verb)
        if verb == "List":
            noun = noun.removesuffix("s")
        kind = KINDS.get(noun) if operation.startswith(verb) else None
        if kind is not None:
            return functools.partial(_generic, generic_method, kind)
    route: Route = getattr(PersonalizeEmulatorBackend, camelcase_to_underscores(operation))
    return route


def _generic(
    method: Callable[[PersonalizeEmulatorBackend, Kind, dict[str, Any]], dict[str, Any]],
    kind: Kind,
    backend: PersonalizeEmulatorBackend,
    params: dict[str, Any],
) -> dict[str, Any]:
    return method(backend, kind, params)


class PersonalizeEmulatorResponse(PersonalizeResponse):
    @property
    def emulator_backend(self) -> PersonalizeEmulatorBackend:
        return personalize_backends[self.current_account][self.region]

    @staticmethod
    def _enrich_response(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
        """Request ids as Personalize makes them, UUIDs (moto's default: 52 letters, slower to draw)."""
        if "status" in headers:
            headers["status"] = str(headers["status"])
        headers["x-amzn-requestid"] = str(mock_random.uuid4())
        return headers, body

    def respond(self, operation: str, route: Route) -> str:
        faults.before_request(operation)
        params = json.loads(self.body) if self.body else {}
        validate_request(operation, params)
        return json.dumps(route(self.emulator_backend, params))


def _handler(operation: str) -> Callable[[PersonalizeEmulatorResponse], str]:
    route = _route(operation)

    def handle(self: PersonalizeEmulatorResponse) -> str:
        return self.respond(operation, route)

    handle.__name__ = camelcase_to_underscores(operation)
    return handle


for _operation in service_model().operation_names:
    setattr(PersonalizeEmulatorResponse, camelcase_to_underscores(_operation), _handler(_operation))

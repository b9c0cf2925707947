"""Request handling shared by personalize-runtime and personalize-events, two REST-JSON services.

Both are signed as ``personalize``, so moto routes them to the Personalize backend (``urls.py``):
in-process by host (``personalize-runtime.<region>.amazonaws.com``,
``personalize-events.<region>.amazonaws.com``); in server mode by the SigV4 credential scope (service
``personalize``, as moto's ``DomainDispatcherApplication`` does for any signed request) and then by path,
which needs nothing more because the three APIs' paths do not overlap (``/`` for the control plane;
``/recommendations``, ``/personalize-ranking``; ``/events``, ``/items``, ``/users``). The operation comes
from the method and path through botocore's model of the service (moto's router); its body is validated
like the control plane's, request faults apply (``faults.py``), and the handler's dict is the JSON
response.
"""

import json
from collections.abc import Callable
from typing import Any, ClassVar

from moto.core.responses import BaseResponse

from . import faults
from .models import PersonalizeEmulatorBackend, personalize_backends
from .validation import validate_request

Params = dict[str, Any]


class RestJsonResponse(BaseResponse):
    SERVICE_NAME: ClassVar[str]

    def __init__(self) -> None:
        super().__init__(service_name=self.SERVICE_NAME)

    @property
    def emulator_backend(self) -> PersonalizeEmulatorBackend:
        return personalize_backends[self.current_account][self.region]

    def respond(self, handler: Callable[[PersonalizeEmulatorBackend, Params], Params]) -> str:
        operation = self._get_action()
        faults.before_request(operation)
        params = json.loads(self.body) if self.body else {}
        validate_request(operation, params, self.SERVICE_NAME)
        return json.dumps(handler(self.emulator_backend, params))

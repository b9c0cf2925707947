"""URL routing of the three Personalize APIs, which all sign their requests as ``personalize``.

moto routes the control plane by host; personalize-runtime and personalize-events it routes to no service
of its own. The harness (``harness/patches.py``) adds every pattern of ``url_bases`` to moto's routing table
for the service ``personalize``, so in-process each API is found by its host
(``personalize-runtime.<region>.amazonaws.com`` ...). In server mode moto picks the backend by the SigV4
credential scope (service ``personalize``, as moto's ``DomainDispatcherApplication`` does for any signed
request), and the backend's app then routes by path, which needs nothing more because the three APIs'
paths do not overlap: ``/`` for the control plane, and for the REST-JSON APIs the request URI of each of
their operations in botocore's model (``/recommendations``, ``/events`` ...; also those of operations the
emulator does not serve, so that they are answered as such).
"""

from .responses import PersonalizeEmulatorResponse, PersonalizeEventsResponse, PersonalizeRuntimeResponse
from .validation import service_model

url_bases = [
    r"https?://personalize\.(.+)\.amazonaws\.com",
    r"https?://personalize-runtime\.(.+)\.amazonaws\.com",
    r"https?://personalize-events\.(.+)\.amazonaws\.com",
]

url_paths = {"{0}/$": PersonalizeEmulatorResponse.dispatch} | {
    f"{{0}}{model.operation_model(operation).http['requestUri']}$": response.dispatch
    for response in (PersonalizeRuntimeResponse, PersonalizeEventsResponse)
    for model in [service_model(response.SERVICE_NAME)]
    for operation in model.operation_names
}

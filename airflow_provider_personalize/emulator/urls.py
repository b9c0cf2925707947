"""URL routing of the emulated Personalize endpoints.

``install()`` adds every pattern of ``url_bases`` to moto's routing table for the service
``personalize``, so another Personalize endpoint (personalize-runtime, personalize-events, both
signed as ``personalize``) is served by adding its host pattern here and its paths to ``url_paths``.
"""

from .events import PersonalizeEventsResponse
from .responses import PersonalizeEmulatorResponse
from .runtime import PersonalizeRuntimeResponse

url_bases = [
    r"https?://personalize\.(.+)\.amazonaws\.com",
    r"https?://personalize-runtime\.(.+)\.amazonaws\.com",
    r"https?://personalize-events\.(.+)\.amazonaws\.com",
]

url_paths = {
    "{0}/$": PersonalizeEmulatorResponse.dispatch,
    "{0}/recommendations$": PersonalizeRuntimeResponse.dispatch,
    "{0}/personalize-ranking$": PersonalizeRuntimeResponse.dispatch,
    "{0}/events$": PersonalizeEventsResponse.dispatch,
    "{0}/items$": PersonalizeEventsResponse.dispatch,
    "{0}/users$": PersonalizeEventsResponse.dispatch,
}

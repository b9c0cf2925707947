"""URL routing of the emulated Personalize endpoints.

``install()`` adds every pattern of ``url_bases`` to moto's routing table for the service
``personalize``, so another Personalize endpoint (personalize-runtime, personalize-events, both
signed as ``personalize``) is served by adding its host pattern here and its paths to ``url_paths``.
"""

from .responses import PersonalizeEmulatorResponse

url_bases = [
    r"https?://personalize\.(.+)\.amazonaws\.com",
]

url_paths = {
    "{0}/$": PersonalizeEmulatorResponse.dispatch,
}

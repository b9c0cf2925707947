"""The emulated Personalize backend (being built)."""

from typing import Any

from moto.core.base_backend import BackendDict
from moto.personalize.models import PersonalizeBackend


class PersonalizeEmulatorBackend(PersonalizeBackend):
    @property
    def _url_module(self) -> Any:
        from . import urls

        return urls


personalize_backends = BackendDict(PersonalizeEmulatorBackend, "personalize")

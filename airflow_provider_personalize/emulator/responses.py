"""Request handling (being built)."""

from moto.personalize.responses import PersonalizeResponse


class PersonalizeEmulatorResponse(PersonalizeResponse):
    pass

"""The errors Amazon Personalize returns, as moto JSON errors (``__type`` and ``message``)."""

from moto.personalize.exceptions import PersonalizeException


class CreationFailed(Exception):
    """A resource's data work failed; the message becomes its failureReason (not an API error)."""


class PersonalizeError(PersonalizeException):
    """An error whose ``__type`` is its class name, as in botocore's model."""

    def __init__(self, message: str) -> None:
        super().__init__(type(self).__name__, message)


class InvalidAction(PersonalizeError):
    """AWS's answer, HTTP 400, to an action it does not know
    (https://docs.aws.amazon.com/personalize/latest/dg/CommonErrors.html); the emulator's to an operation of
    botocore's model that it does not serve."""

    def __init__(self, operation: str) -> None:
        super().__init__(f"The Personalize emulator does not serve the operation {operation}.")


class InvalidInputException(PersonalizeError):
    pass


class InvalidNextTokenException(PersonalizeError):
    def __init__(self) -> None:
        super().__init__("Invalid next token.")


class LimitExceededException(PersonalizeError):
    pass


class ResourceAlreadyExistsException(PersonalizeError):
    def __init__(self, arn: str) -> None:
        # AWS's wording, as seen in the wild (CreateSchema with a name in use).
        super().__init__(f"Another resource with Arn {arn} already exists.")


class ResourceInUseException(PersonalizeError):
    pass


class ResourceNotFoundException(PersonalizeError):
    def __init__(self, arn: str) -> None:
        super().__init__(f"Resource Arn {arn} does not exist.")


class TooManyTagsException(PersonalizeError):
    pass


class TooManyTagKeysException(PersonalizeError):
    pass


class InternalFailure(PersonalizeError):
    """AWS's answer, HTTP 500, when "the request processing has failed because of an unknown error, exception
    or failure" (https://docs.aws.amazon.com/personalize/latest/dg/CommonErrors.html); the emulator's to a
    request it failed to serve (a bug of its own, recorded in ``internal_failures.py``)."""

    code = 500


class SerializationException(PersonalizeError):
    """The answer, HTTP 400, of AWS's JSON protocols to a request body that is not JSON."""

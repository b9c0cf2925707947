"""The errors Amazon Personalize returns, as moto JSON errors (``__type`` and ``message``)."""

from moto.personalize.exceptions import PersonalizeException


class InvalidInputException(PersonalizeException):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidInputException", message)


class InvalidNextTokenException(PersonalizeException):
    def __init__(self, message: str = "Invalid next token.") -> None:
        super().__init__("InvalidNextTokenException", message)


class LimitExceededException(PersonalizeException):
    def __init__(self, message: str) -> None:
        super().__init__("LimitExceededException", message)


class ResourceAlreadyExistsException(PersonalizeException):
    def __init__(self, arn: str) -> None:
        # AWS's wording, as seen in the wild (CreateSchema on an existing name).
        super().__init__("ResourceAlreadyExistsException", f"Another resource with Arn {arn} already exists.")


class ResourceInUseException(PersonalizeException):
    def __init__(self, message: str) -> None:
        super().__init__("ResourceInUseException", message)


class ResourceNotFoundException(PersonalizeException):
    def __init__(self, arn: str) -> None:
        super().__init__("ResourceNotFoundException", f"Resource Arn {arn} does not exist.")


class TooManyTagsException(PersonalizeException):
    def __init__(self, message: str) -> None:
        super().__init__("TooManyTagsException", message)


class TooManyTagKeysException(PersonalizeException):
    def __init__(self, message: str) -> None:
        super().__init__("TooManyTagKeysException", message)

"""The emulator's own failures: every request it failed to serve, and every job whose work broke.

Such a failure is an emulator bug, never the client's doing: the request is answered with AWS's
InternalFailure (HTTP 500) and the job ends in its failed status with a failureReason, and each is logged
with its traceback and recorded here, once per emulator process, so that a test suite can fail any test
during which one happened (the pytest plugin does, for every test).
"""

import logging
import threading
import traceback

logger = logging.getLogger("personalize_emulator")


class InternalFailures:
    """The failures recorded and not yet taken; thread-safe, as server mode serves on many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._recorded: list[str] = []

    def record(self, where: str, error: BaseException) -> str:
        """Log and keep ``error``, raised while serving ``where``; returns its one-line description."""
        description = f"{where}: {type(error).__name__}: {error}"
        logger.error(
            "Internal failure of the Personalize emulator in %s\n%s",
            where,
            "".join(traceback.format_exception(error)),
        )
        with self._lock:
            self._recorded.append(description)
        return description

    def peek(self) -> list[str]:
        """The failures recorded since the last take, oldest first, kept."""
        with self._lock:
            return list(self._recorded)

    def take(self) -> list[str]:
        """The failures recorded since the last take, oldest first; they are forgotten."""
        with self._lock:
            taken, self._recorded = self._recorded, []
        return taken


INTERNAL_FAILURES = InternalFailures()

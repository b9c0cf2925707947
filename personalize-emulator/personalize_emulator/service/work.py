"""A resource's data work, run on a worker thread so that no request waits for it.

How a job does its work (``resources.Resource`` starts it and applies it; ``jobs.py`` says what each kind
does):

1. as the job enters its in-progress status, its inputs are captured on the thread that steps its walk (a
   request's, or the clock's: a training snapshot of the dataset group's data is taken *then*, as AWS trains
   on the data as it was when training started), and the heavy part (reading S3, checking CSV, training,
   preparing output) starts on a worker thread;
2. the job's final status waits for the worker. Under time progression (the default) the walk holds the
   in-progress status until the worker is done, so no Describe ever waits for it, and the worker wakes the
   walk as it ends; under manual or immediate progression (tests) the step into the final status waits for
   the worker, so a test sees the same statuses after the same number of describes every run;
3. on entering its final status the job applies its result (the dataset's records change, the model becomes
   servable, output files are written), or ends in its failed status with the failureReason the worker
   raised. An exception that is no CreationFailed is an emulator bug: recorded (``internal_failures.py``),
   and the job fails saying so, never ACTIVE having done nothing.
"""

import threading
from collections.abc import Callable

from ..engine.datafiles import ImportDataError
from .exceptions import CreationFailed
from .internal_failures import INTERNAL_FAILURES

Apply = Callable[[], None]
# The heavy part of the work, run on the worker thread; returns what applies its result.
Run = Callable[[], Apply]


class Work:
    """A job's data work, running on a worker thread; see the module docstring."""

    def __init__(self, label: str, run: Run, on_done: Callable[[], None]) -> None:
        self._label = label
        self._run = run
        self._on_done = on_done
        self._apply: Apply | None = None
        self._failure: CreationFailed | None = None
        self._thread = threading.Thread(target=self._work, name=f"personalize {label}", daemon=True)
        self._thread.start()

    @classmethod
    def failing(cls, label: str, reason: str, on_done: Callable[[], None]) -> "Work":
        def fail() -> Apply:
            raise CreationFailed(reason)

        return cls(label, fail, on_done)

    def _work(self) -> None:
        try:
            self._apply = self._run()
        except CreationFailed as failure:
            self._failure = failure
        except ImportDataError as failure:
            self._failure = CreationFailed(str(failure))
        except Exception as error:  # an emulator bug: fail the job visibly rather than hang it
            self._failure = CreationFailed(
                internal_failure_reason(INTERNAL_FAILURES.record(self._label, error))
            )
        finally:
            self._on_done()

    def ready(self, wait: bool) -> bool:
        """Whether the work is done; with ``wait``, once it is."""
        if wait:
            self._thread.join()
        return not self._thread.is_alive()

    def finish(self) -> None:
        """Apply the result, or raise CreationFailed with the work's failureReason."""
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        assert self._apply is not None
        self._apply()


def internal_failure_reason(failure: str) -> str:
    """The failureReason of a job the emulator failed to do (``failure``: the recorded description)."""
    return f"Internal error in the Personalize emulator: {failure}"

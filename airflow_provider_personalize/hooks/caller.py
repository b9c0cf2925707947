"""Who created a hook, for the ``Caller/...`` part of the User-Agent the amazon provider sends to AWS.

``AwsBaseHook._get_caller`` finds it with ``inspect.stack()``, which reads the source line of every frame
on the stack: ~25 ms of CPU for each hook's client, in every task. The same answer, found by walking the
frames without their source, costs well under a millisecond. The rules are upstream's (amazon provider
9.x, ``base_aws.py``): the class of the nearest ``execute`` method's ``self``; for a
``BaseSensorOperator``, the nearest ``poke``'s instead; else the last class of the first module on the
stack that has ``BaseExecutor`` in its globals; else ``Unknown``.
"""

from __future__ import annotations

import inspect
import logging
import sys
from collections.abc import Iterator
from types import FrameType

log = logging.getLogger(__name__)

UNKNOWN = "Unknown"


def caller_class_name(target_function_name: str = "execute") -> str:
    """The class name the amazon provider tags its requests with (``Caller/<name>``)."""
    try:
        caller = _class_of_nearest_call(target_function_name)
        if caller == "BaseSensorOperator":
            caller = _class_of_nearest_call("poke")
        return caller or _executor_class_name() or UNKNOWN
    except Exception:
        # Only a tag: a frame without the ``self`` expected must not fail the request it would tag.
        log.debug("Could not tell which class created the hook", exc_info=True)
        return UNKNOWN


def _frames() -> Iterator[FrameType]:
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        yield frame
        frame = frame.f_back


def _class_of_nearest_call(function_name: str) -> str | None:
    for frame in _frames():
        if frame.f_code.co_name == function_name:
            return type(frame.f_locals["self"]).__name__
    return None


def _executor_class_name() -> str | None:
    for frame in _frames():
        classes = [name for name, value in frame.f_globals.items() if inspect.isclass(value)]
        if "BaseExecutor" in classes:
            return classes[-1]
    return None

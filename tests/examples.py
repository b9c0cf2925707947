"""The example DAGs folder, and which of its operators wait (and so take the examples' waiter delay)."""

from __future__ import annotations

import inspect
from pathlib import Path

EXAMPLE_DAGS = Path(__file__).resolve().parents[1] / "example_dags"


def waits(operator_class: type) -> bool:
    """Whether the operator (or a base it passes its keywords to) takes a ``waiter_delay``."""
    return any(
        "waiter_delay" in inspect.signature(vars(cls)["__init__"]).parameters
        for cls in operator_class.__mro__
        if "__init__" in vars(cls)
    )

"""What importing the provider's modules pulls in.

The DAG processor imports the operators and sensors modules on every parse of a DAG that uses them, and
the wait contract (``waits``) with them; botocore's service model (``hooks.request_model``) and the
trigger, with aiobotocore and aiohttp, are for when a task runs or defers. Checked in this process: the
provider's modules (and aiohttp, aiobotocore) are taken out of ``sys.modules``, imported again, and
every module imported anew is recorded; ``sys.modules`` is restored afterwards. Airflow and the other
third-party modules stay loaded (importing Airflow twice in one process does not work), so a third-party
module that imported aiohttp would go unnoticed here:
tests/integration/test_import_cost_in_a_fresh_interpreter.py repeats the check in a fresh interpreter.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.abc import MetaPathFinder
from typing import Any

import pytest

# Loaded before any check, so that only the provider's modules (and aiohttp, aiobotocore) load anew.
import airflow_provider_personalize.operators.personalize  # noqa: V104
import airflow_provider_personalize.sensors.personalize  # noqa: V104
import airflow_provider_personalize.triggers.personalize  # noqa: F401
from tests.deferred_imports import DEFERRED, PACKAGE


class _ImportRecorder(MetaPathFinder):
    """Records the name of every module looked for, and the thread that looked; finds none itself, so
    imports proceed as usual."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.threads: dict[str, str] = {}

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: Any = None) -> None:
        self.names.append(fullname)
        self.threads.setdefault(fullname, threading.current_thread().name)


@contextmanager
def fresh_imports() -> Iterator[list[str]]:
    """Within: the provider, aiohttp and aiobotocore are not imported; yields the names imported anew."""
    with recorded_imports() as recorder:
        yield recorder.names


@contextmanager
def recorded_imports() -> Iterator[_ImportRecorder]:
    """As :func:`fresh_imports`, yielding the recorder (names and threads)."""
    saved = dict(sys.modules)
    for name in saved:
        if name.partition(".")[0] in (PACKAGE, "aiohttp", "aiobotocore"):
            del sys.modules[name]
    recorder = _ImportRecorder()
    sys.meta_path.insert(0, recorder)
    try:
        yield recorder
    finally:
        sys.meta_path.remove(recorder)
        for name in set(sys.modules) - set(saved):
            del sys.modules[name]
        sys.modules.update(saved)


def deferred_imports(names: list[str]) -> list[str]:
    return sorted({name for name in names if name.startswith(DEFERRED)})


@pytest.mark.parametrize(
    "module",
    [f"{PACKAGE}.waits", f"{PACKAGE}.operators.personalize", f"{PACKAGE}.sensors.personalize"],
)
def test_parsing_a_dag_loads_neither_the_service_model_nor_the_trigger_nor_aiohttp_nor_openlineage(module):
    with fresh_imports() as imported:
        importlib.import_module(module)
    assert f"{PACKAGE}.resources" in imported  # the recorder sees this module's imports
    assert deferred_imports(imported) == []


# What the triggerer must not import on its event loop, where it imports a trigger's module: a second or
# more of imports (bench/triggerer_startup.py measures the loop's stall). The poll schedules
# (``triggers._schedule``: math and random) may come.
HEAVY_FOR_THE_LOOP = (
    "aiohttp",
    "aiobotocore",
    f"{PACKAGE}.hooks",
    f"{PACKAGE}.triggers._polling",
    f"{PACKAGE}.triggers._shared_client",
    f"{PACKAGE}.waits",
)


def test_the_triggerer_imports_the_trigger_module_without_anything_heavy():
    with fresh_imports() as imported:
        importlib.import_module(f"{PACKAGE}.triggers.personalize")
    assert f"{PACKAGE}.resources" in imported
    assert sorted({name for name in imported if name.startswith(HEAVY_FOR_THE_LOOP)}) == []


async def test_the_first_run_imports_the_polling_in_a_worker_thread():
    with recorded_imports() as recorder:
        trigger_module = importlib.import_module(f"{PACKAGE}.triggers.personalize")
        polling = await trigger_module._polling_module()
        assert polling.__name__ == f"{PACKAGE}.triggers._polling"
        assert await trigger_module._polling_module() is polling
    loop_thread = threading.current_thread().name
    heavy = {name: thread for name, thread in recorder.threads.items() if name.startswith(HEAVY_FOR_THE_LOOP)}
    assert f"{PACKAGE}.triggers._polling" in heavy and "aiohttp" in heavy
    assert loop_thread not in heavy.values(), heavy


def test_the_modules_of_this_process_are_restored():
    before = sys.modules[f"{PACKAGE}.waits"]
    with fresh_imports():
        fresh = importlib.import_module(f"{PACKAGE}.waits")
    assert fresh is not before
    assert sys.modules[f"{PACKAGE}.waits"] is before

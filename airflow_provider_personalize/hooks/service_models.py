"""botocore's service models (the JSON files that describe each AWS API), loaded once per process.

botocore caches what it loads in its session's loader, and the amazon provider's hooks make a new session
for every hook. So every Personalize client would parse Personalize's model, its endpoint rules and the
partitions again: ~100 ms of CPU each, ~7 ms from a loader that holds them already. This adds up in a
process that creates many clients: ``dag.test()`` runs every task in one process, and a worker may run
many tasks. Sessions whose ``data_path`` (``AWS_DATA_PATH``) is the same read the same files, so they
share one loader. Sharing it is what one session does for all the clients it creates.
"""

from __future__ import annotations

import functools
from typing import Any

import botocore.session
from botocore.loaders import Loader, create_loader


def share_service_models(session: Any) -> None:
    """Make ``session`` (a boto3 or an aiobotocore session) load service models through the process's
    loader for its data path.

    A boto3 session keeps its botocore session in ``_session``, a private attribute. If a boto3 release
    moves it, clients are built as before, only slower (tests/unit/test_dependency_contracts.py says so).
    """
    botocore_session = (
        session if isinstance(session, botocore.session.Session) else getattr(session, "_session", None)
    )
    if isinstance(botocore_session, botocore.session.Session):
        data_path = botocore_session.get_config_variable("data_path")
        botocore_session.register_component("data_loader", _loader(data_path))


@functools.cache
def _loader(data_path: str | None) -> Loader:
    return create_loader(data_path)

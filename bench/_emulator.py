"""What several benchmarks set up on the emulator: a role Personalize may assume, and the Airflow
connection to the emulator as a child process's environment."""

from __future__ import annotations

import json
import os
from typing import Any


def create_personalize_role(emulator: Any, role_arn: str) -> None:
    """The IAM role of ``role_arn``, trusting Personalize, as jobs require of their role."""
    # Imported here: the benchmarks' measured processes import this module and nothing they do not measure.
    from demo.run_demo import trust_policy

    role_name = role_arn.rpartition("/")[2]
    emulator.client("iam").create_role(RoleName=role_name, AssumeRolePolicyDocument=trust_policy())


def connection_environment(emulator: Any, conn_id: str, provider_path: str | None = None) -> dict[str, str]:
    """This process's environment plus the Airflow connection ``conn_id`` to ``emulator``; with
    ``provider_path``, that checkout's provider first on the path (to measure it instead of this one)."""
    from personalize_emulator.harness.pytest_plugin import DUMMY_CREDENTIALS, REGION_NAME

    connection = {
        "conn_type": "aws",
        "login": DUMMY_CREDENTIALS["aws_access_key_id"],
        "password": DUMMY_CREDENTIALS["aws_secret_access_key"],
        "extra": {"endpoint_url": emulator.endpoint_url, "region_name": REGION_NAME},
    }
    env = {**os.environ, f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(connection)}
    if provider_path:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [provider_path, env.get("PYTHONPATH")]))
    return env

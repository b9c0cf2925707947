"""Statuses and jobs move on the clock whether or not anyone polls; the clock stops with moto's reset."""

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from moto.moto_api import state_manager

from personalize_emulator.service.clock import CLOCK
from personalize_emulator.service.lifecycle import CREATE, Lifecycle

from .pipeline import group_with_interactions
from .support import ALL_MODEL_NAMES, IMMEDIATE, INPUT_BUCKET, ROLE_ARN, sibling_client

MOTO_RESET = "http://motoapi.amazonaws.com/moto-api/reset"


def eventually(holds: Callable[[], bool], seconds: float = 30) -> None:
    """Wait until ``holds()`` (a liveness check, not a timing goal: the bound only ends a broken run)."""
    deadline = time.monotonic() + seconds
    while not holds():
        assert time.monotonic() < deadline, f"still not so after {seconds} s"
        time.sleep(0.02)


def test_a_walk_moves_on_time_with_nobody_reading_its_status() -> None:
    model_name = "personalize::unread-walk"
    state_manager.set_transition(model_name, {"progression": "time", "seconds": 0.05})
    entered: list[str] = []
    try:
        Lifecycle(model_name, entered.append).begin(CREATE)
        eventually(lambda: entered == ["CREATE IN_PROGRESS", "ACTIVE"])
    finally:
        state_manager.unset_transition(model_name)


def test_the_clock_thread_ends_when_nothing_is_due_and_with_moto_reset(in_process: Any) -> None:
    personalize = in_process.client("personalize")
    personalize.create_dataset_group(name="walks-to-active")
    assert CLOCK.running
    eventually(lambda: not CLOCK.running)  # ACTIVE: nothing more is due

    in_process.set_transition("personalize::dataset-group", {"progression": "time", "seconds": 60})
    personalize.create_dataset_group(name="slow")
    assert CLOCK.running
    requests.post(MOTO_RESET, timeout=10)
    eventually(lambda: not CLOCK.running)
    assert personalize.list_dataset_groups()["datasetGroups"] == []


def test_a_job_of_data_reset_since_writes_nothing_into_the_new_data(in_process: Any) -> None:
    """The mock's exit and moto's reset end every job: none writes into the next test's buckets."""
    for model_name in ALL_MODEL_NAMES:
        in_process.set_transition(model_name, IMMEDIATE)
    personalize = in_process.client("personalize")
    dataset = group_with_interactions(personalize)["dataset"]
    in_process.set_transition("personalize::dataset-export-job", {"progression": "time", "seconds": 0.2})
    personalize.create_dataset_export_job(
        jobName="orphan",
        datasetArn=dataset,
        roleArn=ROLE_ARN,
        jobOutput={"s3DataDestination": {"path": f"s3://{INPUT_BUCKET}/out/"}},
    )
    requests.post(MOTO_RESET, timeout=10)
    s3 = sibling_client(personalize, "s3")
    s3.create_bucket(Bucket=INPUT_BUCKET)
    time.sleep(1.0)  # five of the export's steps: it would have written by now
    assert s3.list_objects_v2(Bucket=INPUT_BUCKET).get("KeyCount") == 0


def test_describes_from_many_threads_while_the_clock_moves_statuses(personalize_emulator_clean: Any) -> None:
    """Server mode serves requests on many threads: they and the clock's thread step the same walks."""
    personalize = personalize_emulator_clean.client("personalize")
    groups = [personalize.create_dataset_group(name=f"group-{n}")["datasetGroupArn"] for n in range(5)]
    done = threading.Event()

    def describe_until_active(arn: str) -> list[str]:
        seen: list[str] = []
        while not done.is_set():
            status = personalize.describe_dataset_group(datasetGroupArn=arn)["datasetGroup"]["status"]
            if not seen or seen[-1] != status:
                seen.append(status)
            if status == "ACTIVE":
                return seen
        return seen

    try:
        with ThreadPoolExecutor(max_workers=10) as pool:
            walks = list(pool.map(describe_until_active, groups * 2))
    finally:
        done.set()
    for seen in walks:
        assert seen[-1] == "ACTIVE"
        assert seen == [
            status for status in ["CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"] if status in seen
        ]

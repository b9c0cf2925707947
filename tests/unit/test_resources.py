"""The table of resource kinds agrees with botocore's Personalize model, name for name."""

from __future__ import annotations

import botocore.session
import pytest
from botocore import xform_name

from airflow_provider_personalize.resources import (
    DELETION_ORDER,
    RESOURCE_KINDS,
    deletion_order,
    get_kind,
    held_kinds,
)

MODEL = botocore.session.get_session().get_service_model("personalize")
OPERATIONS = {xform_name(name): MODEL.operation_model(name) for name in MODEL.operation_names}
KINDS = list(RESOURCE_KINDS.values())


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_methods_exist(kind):
    for method in (kind.create_method, kind.describe_method, kind.list_method):
        assert method in OPERATIONS
    if kind.delete_method:
        assert kind.delete_method in OPERATIONS


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_members_match_the_model(kind):
    described = OPERATIONS[kind.describe_method].output_shape.members[kind.response_key]
    assert kind.arn_member in described.members
    status_holder = described.members[kind.update_member] if kind.update_member else described
    assert ("status" in status_holder.members) == (kind.lifecycle is not None)
    list_operation = OPERATIONS[kind.list_method]
    assert kind.list_key in list_operation.output_shape.members
    if kind.parent_member:
        assert kind.parent_member in list_operation.input_shape.members
        assert kind.parent_member in OPERATIONS[kind.create_method].input_shape.members
    if not kind.update_member:
        assert kind.name_member in OPERATIONS[kind.create_method].input_shape.members


def test_update_pseudo_kinds_read_the_latest_update():
    campaign_update = get_kind("campaign_update")
    description = {
        "status": "ACTIVE",
        "latestCampaignUpdate": {"status": "CREATE FAILED", "failureReason": "x"},
    }
    assert campaign_update.status_of(description) == "CREATE FAILED"
    assert campaign_update.failure_reason_of(description) == "x"
    assert get_kind("campaign").status_of(description) == "ACTIVE"


def test_statuses_are_disjoint_per_lifecycle():
    for kind in KINDS:
        lifecycle = kind.lifecycle
        if lifecycle is None:
            continue
        assert not lifecycle.in_progress & lifecycle.success
        assert not lifecycle.in_progress & lifecycle.failure
        assert not lifecycle.success & lifecycle.failure


def test_unknown_kind_names_the_known_ones():
    with pytest.raises(ValueError, match="dataset_import_job"):
        get_kind("dataset_imprt_job")


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_named_per_run_kinds_are_the_jobs_and_the_optionally_named(kind):
    # A kind gets a run-derived default name when its API calls it a job, or does not require a name:
    # both create a new resource per pipeline run.
    if kind.update_member:
        assert not kind.named_per_run
        return
    create_input = OPERATIONS[kind.create_method].input_shape
    per_run = kind.name_member == "jobName" or kind.name_member not in create_input.required_members
    assert kind.named_per_run == per_run


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_stop_methods_exist(kind):
    if kind.stop_method:
        assert OPERATIONS[kind.stop_method].input_shape.required_members == [kind.arn_member]


# Longest durations the reference documents for the real service, in hours; the default wait must cover them.
DOCUMENTED_HOURS = {
    "dataset_import_job": 4,
    "dataset_export_job": 4,
    "data_deletion_job": 24,
    "solution_version": 12,
    "campaign": 1,
    "batch_inference_job": 4,
    "batch_segment_job": 4,
}


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_default_wait_covers_the_documented_duration(kind):
    budget_hours = kind.waiter_delay * kind.waiter_max_attempts / 3600
    assert budget_hours >= DOCUMENTED_HOURS.get(kind.key, 0.5)
    # A poll interval that a one-minute job would not regret.
    assert 10 <= kind.waiter_delay <= 300


def test_messages_name_the_arn_status_and_reason():
    kind = get_kind("dataset_import_job")
    failed = kind.failure_message("arn:x", "CREATE FAILED", "Insufficient privileges")
    assert "arn:x" in failed
    assert "CREATE FAILED" in failed
    assert "Insufficient privileges" in failed
    assert "no failure reason" in kind.failure_message("arn:x", "CREATE FAILED", None)
    timed_out = kind.timeout_message("arn:x", "CREATE IN_PROGRESS", 3)
    assert "arn:x" in timed_out
    assert "CREATE IN_PROGRESS" in timed_out
    assert "waiter_max_attempts" in timed_out


def test_kinds_whose_arn_does_not_hold_the_name_are_looked_up_before_creating():
    for kind in KINDS:
        if kind.arn_type is None and not kind.update_member:
            assert not kind.create_refuses_duplicates, kind.key


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind.contained_in], ids=lambda kind: kind.key)
def test_held_kinds_list_by_their_holders_arn(kind):
    assert kind.list_filter_member == get_kind(kind.contained_in).arn_member
    assert kind.list_filter_member in OPERATIONS[kind.list_method].input_shape.members
    # Where the create request names the parent, it is the same holder.
    assert kind.parent_member in (None, kind.list_filter_member)


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind.update_member], ids=lambda kind: kind.key)
def test_update_kinds_start_updates_and_are_never_deleted(kind):
    assert kind.arn_member in OPERATIONS[kind.update_method].input_shape.required_members
    assert kind.delete_method is None
    assert kind.contained_in is None


def test_deletion_order_is_the_documented_clean_up_order():
    assert [kind.key for kind in deletion_order("dataset_group")] == [
        "recommender",
        "campaign",
        "solution",
        "event_tracker",
        "filter",
        "metric_attribution",
        "dataset",
    ]
    assert [kind.key for kind in deletion_order("solution")] == ["campaign"]
    assert deletion_order("campaign") == []


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind.delete_method], ids=lambda kind: kind.key)
def test_every_deletable_kind_goes_before_its_holder(kind):
    assert kind.key in DELETION_ORDER
    if kind.contained_in:
        assert DELETION_ORDER.index(kind.key) < DELETION_ORDER.index(kind.contained_in)


def test_held_kinds_come_after_their_holders_and_reach_the_jobs():
    held = [kind.key for kind in held_kinds("dataset_group")]
    for key in held:
        holder = get_kind(key).contained_in
        assert holder == "dataset_group" or held.index(holder) < held.index(key)
    # Jobs and versions cannot be deleted, but a teardown must know them: while they run they block it.
    assert {"solution_version", "batch_inference_job", "dataset_import_job", "data_deletion_job"} <= set(held)
    assert "schema" not in held  # schemas are shared between dataset groups


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_the_create_requests_parent_is_what_listx_filters_by(kind):
    # The create machine finds a taken name by listing under request[parent_member].
    assert kind.parent_member in (None, kind.list_filter_member)

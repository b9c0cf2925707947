"""The table of resource kinds agrees with botocore's Personalize model, name for name."""

from __future__ import annotations

import copy
import pickle

import botocore.session
import pytest
from botocore import xform_name

from airflow_provider_personalize.resources import (
    CAMPAIGN,
    CAMPAIGN_UPDATE,
    DATASET_GROUP,
    DATASET_IMPORT_JOB,
    DELETION_ORDER,
    RESOURCE_KINDS,
    SOLUTION,
    UPDATE_KINDS,
    WAITABLE_KINDS,
    get_kind,
    get_waitable_kind,
    held_kinds,
)
from airflow_provider_personalize.resources import deletion_order as deletion_order_of

MODEL = botocore.session.get_session().get_service_model("personalize")
OPERATIONS = {xform_name(name): MODEL.operation_model(name) for name in MODEL.operation_names}
KINDS = list(RESOURCE_KINDS.values())
UPDATES = list(UPDATE_KINDS.values())


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
    assert ("status" in described.members) == (kind.lifecycle is not None)
    list_operation = OPERATIONS[kind.list_method]
    assert kind.list_key in list_operation.output_shape.members
    if kind.parent_member:
        assert kind.parent_member in list_operation.input_shape.members
        assert kind.parent_member in OPERATIONS[kind.create_method].input_shape.members
    assert kind.name_member in OPERATIONS[kind.create_method].input_shape.members


@pytest.mark.parametrize("kind", UPDATES, ids=lambda kind: kind.key)
def test_update_members_match_the_model(kind):
    described = OPERATIONS[kind.describe_method].output_shape.members[kind.response_key]
    assert "status" in described.members[kind.update_member].members
    assert kind.arn_member in OPERATIONS[kind.update_method].input_shape.required_members


def test_update_kinds_read_the_latest_update():
    description = {
        "status": "ACTIVE",
        "latestCampaignUpdate": {"status": "CREATE FAILED", "failureReason": "x"},
    }
    assert CAMPAIGN_UPDATE.status_of(description) == "CREATE FAILED"
    assert CAMPAIGN_UPDATE.failure_reason_of(description) == "x"
    assert CAMPAIGN.status_of(description) == "ACTIVE"
    assert CAMPAIGN_UPDATE.status_of({"status": "ACTIVE"}) == ""  # never updated


def test_a_create_kind_and_an_update_kind_are_different_things():
    # A resource kind cannot start an update, nor can an update be created, listed or deleted.
    assert not hasattr(CAMPAIGN, "update_method")
    for method in ("create_method", "list_method", "delete_method", "stop_method"):
        assert not hasattr(CAMPAIGN_UPDATE, method)
    assert CAMPAIGN_UPDATE.resource is CAMPAIGN


def test_a_kind_is_found_by_its_key_where_a_user_types_it():
    assert get_kind("dataset_import_job") is DATASET_IMPORT_JOB
    assert get_waitable_kind("campaign_update") is CAMPAIGN_UPDATE
    assert get_waitable_kind("campaign") is CAMPAIGN
    with pytest.raises(ValueError, match="known: dataset_group"):
        get_kind("campaign_update")
    assert set(WAITABLE_KINDS) == set(RESOURCE_KINDS) | set(UPDATE_KINDS)


def test_statuses_are_disjoint_per_lifecycle():
    for kind in WAITABLE_KINDS.values():
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


@pytest.mark.parametrize("kind", list(WAITABLE_KINDS.values()), ids=lambda kind: kind.key)
def test_default_wait_covers_the_documented_duration(kind):
    budget_hours = kind.waiter_delay * kind.waiter_max_attempts / 3600
    assert budget_hours >= DOCUMENTED_HOURS.get(kind.key, 0.5)
    # A poll interval that a one-minute job would not regret.
    assert 10 <= kind.waiter_delay <= 300


def test_messages_name_the_arn_status_and_reason():
    kind = DATASET_IMPORT_JOB
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
        if kind.arn_type is None:
            assert not kind.create_refuses_duplicates, kind.key


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind.contained_in], ids=lambda kind: kind.key)
def test_held_kinds_list_by_their_holders_arn(kind):
    assert kind.list_filter_member == kind.contained_in.arn_member
    assert kind.list_filter_member in OPERATIONS[kind.list_method].input_shape.members
    # Where the create request names the parent, it is the same holder.
    assert kind.parent_member in (None, kind.list_filter_member)


def test_deletion_order_is_the_documented_clean_up_order():
    assert [kind.key for kind in deletion_order_of(DATASET_GROUP)] == [
        "recommender",
        "campaign",
        "solution",
        "event_tracker",
        "filter",
        "metric_attribution",
        "dataset",
    ]
    assert [kind.key for kind in deletion_order_of(SOLUTION)] == ["campaign"]
    assert deletion_order_of(CAMPAIGN) == []


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind.delete_method], ids=lambda kind: kind.key)
def test_every_deletable_kind_goes_before_its_holder(kind):
    assert kind in DELETION_ORDER
    if kind.contained_in:
        assert DELETION_ORDER.index(kind) < DELETION_ORDER.index(kind.contained_in)


def test_held_kinds_come_after_their_holders_and_reach_the_jobs():
    held = [kind.key for kind in held_kinds(DATASET_GROUP)]
    for key in held:
        holder = get_kind(key).contained_in
        assert holder is not None
        assert holder is DATASET_GROUP or held.index(holder.key) < held.index(key)
    # Jobs and versions cannot be deleted, but a teardown must know them: while they run they block it.
    assert {"solution_version", "batch_inference_job", "dataset_import_job", "data_deletion_job"} <= set(held)
    assert "schema" not in held  # schemas are shared between dataset groups


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_the_create_requests_parent_is_what_listx_filters_by(kind):
    # The create machine finds a taken name by listing under request[parent_member].
    assert kind.parent_member in (None, kind.list_filter_member)


@pytest.mark.parametrize("kind", list(WAITABLE_KINDS.values()), ids=lambda kind: kind.key)
def test_a_kind_copied_or_unpickled_is_the_tables_kind(kind):
    # Kinds compare by identity; Airflow copies operators, and with them the kinds they hold.
    assert copy.copy(kind) is kind
    assert copy.deepcopy({"kind": kind})["kind"] is kind
    assert pickle.loads(pickle.dumps(kind)) is kind

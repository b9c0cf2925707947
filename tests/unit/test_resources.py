"""The table of resource kinds agrees with botocore's Personalize model, name for name."""

from __future__ import annotations

import botocore.session
import pytest
from botocore import xform_name

from airflow_provider_personalize.resources import RESOURCE_KINDS, get_kind

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

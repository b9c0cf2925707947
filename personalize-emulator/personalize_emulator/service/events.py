"""personalize-events: PutEvents, PutItems, PutUsers, PutActions and PutActionInteractions store records as
PUT data (``engine/datastore.py``).

PutEvents and PutActionInteractions find their dataset group by the event tracker's ``trackingId`` and write
to the group's Interactions or Action_Interactions dataset; an event without a userId is recorded under its
sessionId (AWS records anonymous users' events by session). PutItems, PutUsers and PutActions write to the
Items, Users or Actions dataset named by ``datasetArn``. Records take effect at once: exports of PUT or ALL
data, later trainings and action recommendations see them
(https://docs.aws.amazon.com/personalize/latest/dg/importing-actions.html).

Errors are those each operation declares: PutEvents only InvalidInputException (an unknown or inactive
tracking id too, and so does PutActionInteractions); the others ResourceNotFoundException for an unknown
dataset, ResourceInUseException for one not ACTIVE, and InvalidInputException for records that do not fit
the schema.
"""

from collections.abc import Callable, Mapping
from typing import Any

from ..engine.avro import PersonalizeSchema
from ..engine.datastore import (
    action_interaction_record,
    action_record,
    event_record,
    item_record,
    user_record,
)
from .exceptions import InvalidInputException, ResourceInUseException
from .kinds import KINDS
from .models import PersonalizeEmulatorBackend
from .resources import Dataset, Resource, group_datasets

Params = dict[str, Any]


def _put(dataset: Resource, build: Callable[[PersonalizeSchema], list[dict[str, Any]]]) -> Params:
    assert isinstance(dataset, Dataset)
    try:
        dataset.put_records(build(dataset.records.schema))
    except (KeyError, ValueError) as error:
        raise InvalidInputException(str(error).strip("'\"")) from None
    return {}


def _tracked_dataset(
    backend: PersonalizeEmulatorBackend, tracking_id: str, dataset_type: str
) -> Resource | None:
    """The ``dataset_type`` dataset of the group whose ACTIVE event tracker has ``tracking_id``."""
    for tracker in backend.live(KINDS["EventTracker"]):
        if tracker.attributes["trackingId"] == tracking_id and tracker.status == "ACTIVE":
            return group_datasets(backend, tracker.attributes["datasetGroupArn"]).get(dataset_type)
    return None


def put_events(backend: PersonalizeEmulatorBackend, params: Params) -> Params:
    dataset = _tracked_dataset(backend, params["trackingId"], "Interactions")
    if dataset is None:
        raise InvalidInputException(
            f"No ACTIVE event tracker has the trackingId {params['trackingId']}, in a dataset group with an "
            "Interactions dataset."
        )
    user_id = params.get("userId") or params["sessionId"]
    return _put(
        dataset, lambda schema: [event_record(user_id, event, schema) for event in params["eventList"]]
    )


def put_action_interactions(backend: PersonalizeEmulatorBackend, params: Params) -> Params:
    dataset = _tracked_dataset(backend, params["trackingId"], "Action_Interactions")
    if dataset is None:
        raise InvalidInputException(
            f"No ACTIVE event tracker has the trackingId {params['trackingId']}, in a dataset group with an "
            "Action_Interactions dataset."
        )
    if dataset.status != "ACTIVE":
        raise ResourceInUseException(f"The dataset {dataset.arn} is {dataset.status}; it must be ACTIVE.")
    entries = params["actionInteractions"]
    return _put(dataset, lambda schema: [action_interaction_record(entry, schema) for entry in entries])


def _put_into(
    dataset_type: str,
    member: str,
    to_record: Callable[[Mapping[str, Any], PersonalizeSchema], dict[str, Any]],
) -> Callable[[PersonalizeEmulatorBackend, Params], Params]:
    def put(backend: PersonalizeEmulatorBackend, params: Params) -> Params:
        dataset = backend.get_active(KINDS["Dataset"], params["datasetArn"])
        if dataset.attributes["datasetType"].lower() != dataset_type.lower():
            raise InvalidInputException(f"The dataset {dataset.arn} is not a {dataset_type} dataset.")
        entries = params[member]
        return _put(dataset, lambda schema: [to_record(entry, schema) for entry in entries])

    return put


put_items = _put_into("Items", "items", item_record)
put_users = _put_into("Users", "users", user_record)
put_actions = _put_into("Actions", "actions", action_record)

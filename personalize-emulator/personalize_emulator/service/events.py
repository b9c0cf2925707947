"""personalize-events: PutEvents, PutItems and PutUsers store records as PUT data (``engine/datastore.py``).

PutEvents finds its dataset group by the event tracker's ``trackingId`` and writes to the group's
Interactions dataset; an event without a userId is recorded under its sessionId (AWS records anonymous
users' events by session). PutItems and PutUsers write to the Items or Users dataset named by
``datasetArn``. Records take effect at once: exports of PUT or ALL data and later trainings see them.
PutActions and PutActionInteractions are not served (the emulator models no Actions data).

Errors are those each operation declares: PutEvents only InvalidInputException (an unknown or inactive
tracking id too); PutItems and PutUsers ResourceNotFoundException for an unknown dataset,
ResourceInUseException for one not ACTIVE, and InvalidInputException for records that do not fit the schema.
"""

from collections.abc import Callable, Mapping
from typing import Any

from ..engine.avro import PersonalizeSchema
from ..engine.datastore import event_record, item_record, user_record
from .exceptions import InvalidInputException
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


def put_events(backend: PersonalizeEmulatorBackend, params: Params) -> Params:
    tracker = next(
        (
            tracker
            for tracker in backend.live(KINDS["EventTracker"])
            if tracker.attributes["trackingId"] == params["trackingId"] and tracker.status == "ACTIVE"
        ),
        None,
    )
    if tracker is None:
        raise InvalidInputException(f"No ACTIVE event tracker has the trackingId {params['trackingId']}.")
    group_arn = tracker.attributes["datasetGroupArn"]
    dataset = group_datasets(backend, group_arn).get("Interactions")
    if dataset is None:
        raise InvalidInputException(f"The dataset group {group_arn} has no Interactions dataset.")
    user_id = params.get("userId") or params["sessionId"]
    return _put(
        dataset, lambda schema: [event_record(user_id, event, schema) for event in params["eventList"]]
    )


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

"""Data-plane jobs on moto's S3 and IAM, in both modes: imports, exports, deletions, events, batch jobs."""

import json
import threading
import time
from typing import Any

import pytest
from moto.moto_api import state_manager

from personalize_emulator.engine.datastore import FIRST_IMPORT_MUST_BE_FULL
from personalize_emulator.service.kinds import KINDS
from personalize_emulator.service.lifecycle import CREATE, Lifecycle
from personalize_emulator.service.storage import trust_policy

from .pipeline import (
    DATA,
    USER_PERSONALIZATION,
    export,
    group_with_interactions,
    put_object,
    read_object,
    rows,
    train,
)
from .support import INPUT_BUCKET, ROLE_ARN, describer, settle, sibling_client, watch

INSUFFICIENT_PRIVILEGES = "Insufficient privileges for accessing data in S3."
ITEM_AFFINITY = "arn:aws:personalize:::recipe/aws-item-affinity"


def import_job(personalize: Any, dataset: str, name: str, location: str, **request: Any) -> dict[str, Any]:
    """Run an import job (immediate progression); its description."""
    arn = personalize.create_dataset_import_job(
        jobName=name, datasetArn=dataset, dataSource={"dataLocation": location}, **request
    )["datasetImportJobArn"]
    return personalize.describe_dataset_import_job(datasetImportJobArn=arn)["datasetImportJob"]


def test_a_valid_import_goes_active_and_a_bulk_export_holds_exactly_its_rows(personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    described = personalize.describe_dataset_import_job(datasetImportJobArn=setup["import"])[
        "datasetImportJob"
    ]
    assert (described["status"], described.get("failureReason")) == ("ACTIVE", None)
    assert export(personalize, setup["dataset"], "bulk", "BULK") == rows(DATA.interactions_csv)
    assert export(personalize, setup["dataset"], "put", "PUT") == []


def test_jobs_work_under_time_progression(personalize_emulator_clean: Any) -> None:
    """As statuses advance with time (the default), a job's final status waits for its data work."""
    server = personalize_emulator_clean
    for model_name in ("dataset-group", "dataset"):
        server.set_transition(f"personalize::{model_name}", {"progression": "immediate"})
    personalize = server.client("personalize")
    setup = group_with_interactions(personalize)
    seen = settle(
        describer(personalize, "DatasetImportJob", setup["import"]), until={"ACTIVE", "CREATE FAILED"}
    )
    assert seen[-2:] == ["CREATE IN_PROGRESS", "ACTIVE"]
    assert export(personalize, setup["dataset"], "bulk", "BULK", settled=True) == rows(DATA.interactions_csv)


def test_time_progression_holds_the_final_status_until_the_work_is_done() -> None:
    model_name = "personalize::held-walk"
    state_manager.set_transition(model_name, {"progression": "time", "seconds": 0.01})
    done = threading.Event()
    try:
        walk = Lifecycle(
            model_name, lambda status: None, lambda status, wait: status != "ACTIVE" or done.is_set()
        )
        walk.begin(CREATE)
        time.sleep(0.1)  # ten steps' time: only the in-progress status is reachable
        assert walk.status == "CREATE IN_PROGRESS"
        done.set()
        assert walk.status == "ACTIVE"  # the held step was due: taken at the next read
    finally:
        state_manager.unset_transition(model_name)


def test_an_import_missing_a_required_column_fails_naming_it(personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    without_time = "USER_ID,ITEM_ID,EVENT_TYPE\nuser-1,item-1,click\n"
    location = put_object(personalize, "no-time.csv", without_time.encode())
    described = import_job(personalize, setup["dataset"], "no-time", location, roleArn=ROLE_ARN)
    assert described["status"] == "CREATE FAILED"
    assert described["failureReason"] == "Input CSV is missing the following columns: [TIMESTAMP]"


def test_without_a_role_personalize_may_assume_or_without_the_data_an_import_fails(personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    location = f"s3://{INPUT_BUCKET}/shop/interactions.csv"
    iam = sibling_client(personalize, "iam")
    untrusted = iam.create_role(
        RoleName="LambdaOnly", AssumeRolePolicyDocument=trust_policy("lambda.amazonaws.com")
    )["Role"]["Arn"]
    failing = {
        "missing-role": (location, "arn:aws:iam::123456789012:role/Nobody"),
        "untrusted-role": (location, untrusted),
        "missing-object": (f"s3://{INPUT_BUCKET}/nothing-here.csv", ROLE_ARN),
        "missing-bucket": ("s3://no-such-bucket/interactions.csv", ROLE_ARN),
    }
    for name, (data_location, role) in failing.items():
        described = import_job(personalize, setup["dataset"], name, data_location, roleArn=role)
        assert (described["status"], described["failureReason"]) == (
            "CREATE FAILED",
            INSUFFICIENT_PRIVILEGES,
        ), name


def interactions_csv(user_prefix: str, count: int = 1000) -> bytes:
    """``count`` interactions (an import job's minimum) of users named ``<user_prefix><n>``."""
    records = "".join(f"{user_prefix}{n % 30},i{n % 40},{1700000000 + n},click\n" for n in range(count))
    return f"USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n{records}".encode()


def exported_users(personalize: Any, dataset: str, name: str) -> set[str]:
    return {row["USER_ID"] for row in export(personalize, dataset, name, "BULK")}


def test_the_first_import_must_be_full_and_incremental_ones_add(personalize: Any) -> None:
    group = personalize.create_dataset_group(name="fresh")["datasetGroupArn"]
    schema = personalize.create_schema(name="fresh", schema=DATA.schemas["Interactions"])["schemaArn"]
    dataset = personalize.create_dataset(
        name="fresh", schemaArn=schema, datasetGroupArn=group, datasetType="Interactions"
    )["datasetArn"]
    first = put_object(personalize, "first.csv", interactions_csv("first-"))
    more = put_object(personalize, "more.csv", interactions_csv("more-"))
    early = import_job(personalize, dataset, "early", first, roleArn=ROLE_ARN, importMode="INCREMENTAL")
    assert (early["status"], early["failureReason"]) == ("CREATE FAILED", FIRST_IMPORT_MUST_BE_FULL)
    assert import_job(personalize, dataset, "full", first, roleArn=ROLE_ARN)["status"] == "ACTIVE"
    assert (
        import_job(personalize, dataset, "more", more, roleArn=ROLE_ARN, importMode="INCREMENTAL")["status"]
        == "ACTIVE"
    )
    assert exported_users(personalize, dataset, "both") == {
        f"{prefix}{n}" for prefix in ("first-", "more-") for n in range(30)
    }


def test_a_folder_import_reads_every_csv_under_it(personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    put_object(personalize, "folder/part-1.csv", interactions_csv("a-", 500))
    put_object(personalize, "folder/part-2.csv", interactions_csv("b-", 500))
    put_object(personalize, "folder/README.txt", b"not data")
    described = import_job(
        personalize, setup["dataset"], "folder", f"s3://{INPUT_BUCKET}/folder/", roleArn=ROLE_ARN
    )
    assert described["status"] == "ACTIVE"
    assert exported_users(personalize, setup["dataset"], "folder") == {
        f"{prefix}{n}" for prefix in ("a-", "b-") for n in range(30)
    }


def test_deleted_users_are_gone_from_the_next_export_and_nobody_else(personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    assert DATA.deletions_csv is not None
    deleted = {row["USER_ID"] for row in rows(DATA.deletions_csv)}
    location = put_object(personalize, "deletions.csv", DATA.deletions_csv)
    job = personalize.create_data_deletion_job(
        jobName="forget",
        datasetGroupArn=setup["group"],
        dataSource={"dataLocation": location},
        roleArn=ROLE_ARN,
    )["dataDeletionJobArn"]
    described = personalize.describe_data_deletion_job(dataDeletionJobArn=job)["dataDeletionJob"]
    assert (described["status"], described["numDeleted"]) == ("COMPLETED", len(deleted))
    kept = [row for row in rows(DATA.interactions_csv) if row["USER_ID"] not in deleted]
    assert export(personalize, setup["dataset"], "after", "BULK") == kept


def test_put_events_items_and_users_are_put_data(emulator: Any, personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    tracking_id = personalize.create_event_tracker(name="clicks", datasetGroupArn=setup["group"])[
        "trackingId"
    ]
    events = emulator.client("personalize-events")
    events.put_events(
        trackingId=tracking_id,
        userId="user-new",
        sessionId="session-1",
        eventList=[
            {"eventType": "click", "itemId": "item-1", "sentAt": 1767225600},
            {"eventType": "purchase", "itemId": "item-2", "sentAt": 1767225700},
        ],
    )
    assert export(personalize, setup["dataset"], "events", "PUT") == [
        {"USER_ID": "user-new", "ITEM_ID": "item-1", "TIMESTAMP": "1767225600", "EVENT_TYPE": "click"},
        {"USER_ID": "user-new", "ITEM_ID": "item-2", "TIMESTAMP": "1767225700", "EVENT_TYPE": "purchase"},
    ]
    assert len(export(personalize, setup["dataset"], "all", "ALL")) == len(rows(DATA.interactions_csv)) + 2

    items_schema = personalize.create_schema(name="items", schema=DATA.schemas["Items"])["schemaArn"]
    items = personalize.create_dataset(
        name="items", schemaArn=items_schema, datasetGroupArn=setup["group"], datasetType="Items"
    )["datasetArn"]
    properties = json.dumps({"category": "books", "price": 9.5, "creationTimestamp": 1700000000})
    events.put_items(datasetArn=items, items=[{"itemId": "item-new", "properties": properties}])
    assert export(personalize, items, "items", "PUT") == [
        {"ITEM_ID": "item-new", "CATEGORY": "books", "PRICE": "9.5", "CREATION_TIMESTAMP": "1700000000"}
    ]
    with_unknown_property = [{"itemId": "item-odd", "properties": json.dumps({"colour": "red"})}]
    with pytest.raises(events.exceptions.InvalidInputException, match="COLOUR"):
        events.put_items(datasetArn=items, items=with_unknown_property)
    with pytest.raises(events.exceptions.InvalidInputException, match="trackingId"):
        events.put_events(
            trackingId="not-a-tracker", sessionId="s", eventList=[{"eventType": "click", "sentAt": 1}]
        )


def batch_output(
    personalize: Any, api_name: str, version: str, input_key: str, lines: list[str]
) -> list[Any]:
    """Run a batch job of ``api_name`` on ``lines`` (immediate progression); its output file's lines."""
    put_object(personalize, input_key, "\n".join(lines).encode())
    kind = KINDS[api_name]
    create = getattr(personalize, f"create_{kind.arn_resource_type.replace('-', '_')}")
    arn = create(
        jobName=f"{kind.arn_resource_type}-{len(lines)}",
        solutionVersionArn=version,
        numResults=5,
        roleArn=ROLE_ARN,
        jobInput={"s3DataSource": {"path": f"s3://{INPUT_BUCKET}/{input_key}"}},
        jobOutput={"s3DataDestination": {"path": f"s3://{INPUT_BUCKET}/batch-out/"}},
    )[kind.arn_member]
    assert describer(personalize, api_name, arn)()["status"] == "ACTIVE"
    output_uri = f"s3://{INPUT_BUCKET}/batch-out/{input_key.rsplit('/', 1)[-1]}.out"
    return [json.loads(line) for line in read_object(personalize, output_uri).splitlines()]


def test_batch_inference_writes_one_line_per_input(personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    version = train(personalize, setup["group"], "recs", USER_PERSONALIZATION)["version"]
    lines = ['{"userId": "user-1"}', '{"userId": "user-2"}', '{"userId": "someone-new"}', "not json"]
    output = batch_output(personalize, "BatchInferenceJob", version, "batch/users.json", lines)
    assert len(output) == len(lines)
    for line, served in zip(lines[:3], output[:3], strict=True):
        assert (served["input"], served["error"]) == (json.loads(line), None)
        assert len(served["output"]["recommendedItems"]) == len(served["output"]["scores"]) == 5
    assert output[3]["output"] is None and "not valid JSON" in output[3]["error"]


def test_a_batch_input_path_is_a_prefix(personalize: Any) -> None:
    """AWS reads every object whose key starts with the input path, and writes one output file for each."""
    setup = group_with_interactions(personalize)
    version = train(personalize, setup["group"], "recs", USER_PERSONALIZATION)["version"]
    put_object(personalize, "prefixed/users-a.json", b'{"userId": "user-1"}\n')
    put_object(personalize, "prefixed/users-b.json", b'{"userId": "user-2"}\n{"userId": "user-3"}\n')
    personalize.create_batch_inference_job(
        jobName="prefixed",
        solutionVersionArn=version,
        roleArn=ROLE_ARN,
        jobInput={"s3DataSource": {"path": f"s3://{INPUT_BUCKET}/prefixed/users"}},
        jobOutput={"s3DataDestination": {"path": f"s3://{INPUT_BUCKET}/prefixed-out/"}},
    )
    for name, count in (("users-a.json", 1), ("users-b.json", 2)):
        lines = read_object(personalize, f"s3://{INPUT_BUCKET}/prefixed-out/{name}.out").splitlines()
        assert len(lines) == count and all(
            len(json.loads(line)["output"]["recommendedItems"]) == 25 for line in lines
        )


def test_batch_segments_list_users_per_item(personalize: Any) -> None:
    """Item-Affinity's output lines, as AWS's samples show real jobs write them: the input, the
    ``usersList`` and an ``error`` (null), for each line."""
    setup = group_with_interactions(personalize)
    version = train(personalize, setup["group"], "affinity", ITEM_AFFINITY)["version"]
    lines = ['{"itemId": "item-1"}', '{"itemId": "item-2"}', '{"itemAttributes": "ITEMS.CATEGORY = \\"x\\""}']
    output = batch_output(personalize, "BatchSegmentJob", version, "segments/items.json", lines)
    assert [served["input"] for served in output] == [json.loads(line) for line in lines]
    interacted = {row["USER_ID"] for row in rows(DATA.interactions_csv) if row["ITEM_ID"] == "item-1"}
    assert output[0]["error"] is None and set(output[0]["output"]) == {"usersList"}
    users = output[0]["output"]["usersList"]
    assert len(users) == 5 and set(users) <= {row["USER_ID"] for row in rows(DATA.interactions_csv)}
    assert users[0] in interacted  # the strongest affinity: users who already chose the item
    assert output[2]["output"] is None and "itemId" in output[2]["error"]
    metrics = personalize.get_solution_metrics(solutionVersionArn=version)["metrics"]
    assert sorted(metrics) == ["coverage", "hits_at_1_percent", "recall_at_1_percent"]


def reordered(csv_text: bytes, columns: list[str]) -> bytes:
    """``csv_text`` with its columns in the order ``columns``."""
    lines = [",".join(columns)] + [",".join(row[column] for column in columns) for row in rows(csv_text)]
    return "".join(f"{line}\n" for line in lines).encode()


def test_csv_columns_are_mapped_to_the_schema_by_header_name(personalize: Any) -> None:
    """AWS's own getting-started data ships USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE against a schema ordered
    USER_ID,ITEM_ID,EVENT_TYPE,TIMESTAMP; the header names map the columns."""
    setup = group_with_interactions(personalize)
    shuffled = reordered(DATA.interactions_csv, ["EVENT_TYPE", "TIMESTAMP", "USER_ID", "ITEM_ID"])
    location = put_object(personalize, "shuffled.csv", shuffled)
    described = import_job(personalize, setup["dataset"], "shuffled", location, roleArn=ROLE_ARN)
    assert (described["status"], described.get("failureReason")) == ("ACTIVE", None)
    assert export(personalize, setup["dataset"], "shuffled", "BULK") == rows(DATA.interactions_csv)


def test_an_interactions_import_of_fewer_than_1000_records_fails(personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    few = b"".join(DATA.interactions_csv.splitlines(keepends=True)[:1000])  # a header and 999 records
    location = put_object(personalize, "few.csv", few)
    described = import_job(personalize, setup["dataset"], "few", location, roleArn=ROLE_ARN)
    assert described["status"] == "CREATE FAILED"
    assert "999" in described["failureReason"] and "1000" in described["failureReason"]


def wait_for_object(personalize: Any, uri: str, seconds: float = 60) -> str:
    """The object's text once it exists (S3 polled, never Personalize)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return read_object(personalize, uri)
        except sibling_client(personalize, "s3").exceptions.NoSuchKey:
            time.sleep(0.05)
    raise AssertionError(f"{uri} was not written within {seconds} s")


def test_an_export_nobody_polls_writes_its_files_on_time(emulator: Any, personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    emulator.set_transition("personalize::dataset-export-job", {"progression": "time", "seconds": 0.2})
    path = f"s3://{INPUT_BUCKET}/unpolled/"
    personalize.create_dataset_export_job(
        jobName="unpolled",
        datasetArn=setup["dataset"],
        roleArn=ROLE_ARN,
        ingestionMode="BULK",
        jobOutput={"s3DataDestination": {"path": path}},
    )
    written = wait_for_object(personalize, f"{path}unpolled/unpolled_part_00000.csv")
    assert rows(written) == rows(DATA.interactions_csv)
    (job,) = personalize.list_dataset_export_jobs(datasetArn=setup["dataset"])["datasetExportJobs"]
    assert job["status"] == "ACTIVE"


def test_events_sent_after_an_export_was_created_are_not_in_it(emulator: Any, personalize: Any) -> None:
    setup = group_with_interactions(personalize)
    tracking_id = personalize.create_event_tracker(name="clicks", datasetGroupArn=setup["group"])[
        "trackingId"
    ]
    events = emulator.client("personalize-events")

    def click(user: str) -> None:
        event = {"eventType": "click", "itemId": "item-1", "sentAt": 1767225600}
        events.put_events(trackingId=tracking_id, userId=user, sessionId=user, eventList=[event])

    click("before")
    emulator.set_transition("personalize::dataset-export-job", {"progression": "manual", "times": 1})
    path = f"s3://{INPUT_BUCKET}/events/"
    job = personalize.create_dataset_export_job(
        jobName="events",
        datasetArn=setup["dataset"],
        roleArn=ROLE_ARN,
        ingestionMode="PUT",
        jobOutput={"s3DataDestination": {"path": path}},
    )["datasetExportJobArn"]
    click("after")
    seen = watch(describer(personalize, "DatasetExportJob", job), until={"ACTIVE", "CREATE FAILED"})
    assert seen[-1] == "ACTIVE"
    exported = rows(read_object(personalize, f"{path}events/events_part_00000.csv"))
    assert [row["USER_ID"] for row in exported] == ["before"]

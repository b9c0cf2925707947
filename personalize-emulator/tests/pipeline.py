"""Helpers of the data-plane tests: a small synthetic dataset in the emulator's S3, imported into a group."""

import csv
import io
import json
from collections import Counter
from typing import Any

from personalize_emulator.engine.synthetic import generate

from .support import INPUT_BUCKET, ROLE_ARN, avro, describer, settle, sibling_client, stage_inputs

# 60 users, 40 items, 1500 interactions (click or purchase): enough to train, small enough to be quick.
DATA = generate(users=60, items=40, interactions=1500, seed=3, deleted_users=4)
POPULARITY = "arn:aws:personalize:::recipe/aws-popularity-count"
USER_PERSONALIZATION = "arn:aws:personalize:::recipe/aws-user-personalization"


def put_object(personalize: Any, key: str, content: bytes) -> str:
    """Store ``content`` in the job-input bucket (staged with the role); returns its ``s3://`` URI."""
    stage_inputs(personalize)
    sibling_client(personalize, "s3").put_object(Bucket=INPUT_BUCKET, Key=key, Body=content)
    return f"s3://{INPUT_BUCKET}/{key}"


def read_object(personalize: Any, uri: str) -> str:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return sibling_client(personalize, "s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode()


def rows(csv_text: str | bytes) -> list[dict[str, str]]:
    text = csv_text.decode() if isinstance(csv_text, bytes) else csv_text
    return list(csv.DictReader(io.StringIO(text)))


def item_counts(csv_text: bytes = DATA.interactions_csv) -> Counter[str]:
    return Counter(row["ITEM_ID"] for row in rows(csv_text))


def group_with_interactions(
    personalize: Any, name: str = "shop", csv_text: bytes = DATA.interactions_csv
) -> dict[str, str]:
    """An ACTIVE group whose Interactions dataset (the synthetic schema) imported ``csv_text`` (immediate
    progression); returns the group, dataset and import job ARNs."""
    group = personalize.create_dataset_group(name=name)["datasetGroupArn"]
    schema = personalize.create_schema(name=f"{name}-interactions", schema=DATA.schemas["Interactions"])[
        "schemaArn"
    ]
    dataset = personalize.create_dataset(
        name=f"{name}-interactions", schemaArn=schema, datasetGroupArn=group, datasetType="Interactions"
    )["datasetArn"]
    location = put_object(personalize, f"{name}/interactions.csv", csv_text)
    job = personalize.create_dataset_import_job(
        jobName=f"{name}-import", datasetArn=dataset, dataSource={"dataLocation": location}, roleArn=ROLE_ARN
    )["datasetImportJobArn"]
    return {"group": group, "dataset": dataset, "import": job}


def export(
    personalize: Any, dataset: str, name: str, mode: str, settled: bool = False
) -> list[dict[str, str]]:
    """Export ``dataset`` in ingestion ``mode``; the exported CSV's rows. Progression must be immediate,
    unless ``settled``: then the export is described until it ends."""
    path = f"s3://{INPUT_BUCKET}/exports/"
    job = personalize.create_dataset_export_job(
        jobName=name,
        datasetArn=dataset,
        roleArn=ROLE_ARN,
        ingestionMode=mode,
        jobOutput={"s3DataDestination": {"path": path}},
    )["datasetExportJobArn"]
    describe = describer(personalize, "DatasetExportJob", job)
    if settled:
        settle(describe, until={"ACTIVE", "CREATE FAILED"})
    assert describe()["status"] == "ACTIVE", describe()
    return rows(read_object(personalize, f"{path}{name}/{name}_part_00000.csv"))


def train(personalize: Any, group: str, name: str, recipe: str, **version: Any) -> dict[str, str]:
    """A solution of ``recipe`` and a version of it (immediate progression)."""
    solution = personalize.create_solution(name=name, datasetGroupArn=group, recipeArn=recipe)["solutionArn"]
    arn = personalize.create_solution_version(solutionArn=solution, **version)["solutionVersionArn"]
    return {"solution": solution, "version": arn}


def import_dataset(
    personalize: Any,
    group: str,
    dataset_type: str,
    csv_text: bytes,
    schema_json: str | None = None,
    **job: Any,
) -> str:
    """Create the group's ``dataset_type`` dataset with ``schema_json`` (the synthetic schema by default) and
    import ``csv_text`` into it with ``job``'s other members (immediate progression); returns its ARN."""
    name = group.rsplit("/", 1)[-1]
    schema = personalize.create_schema(
        name=f"{name}-{dataset_type}", schema=schema_json or DATA.schemas[dataset_type]
    )
    dataset = personalize.create_dataset(
        name=f"{name}-{dataset_type}",
        schemaArn=schema["schemaArn"],
        datasetGroupArn=group,
        datasetType=dataset_type,
    )["datasetArn"]
    location = put_object(personalize, f"{name}/{dataset_type}.csv", csv_text)
    imported = personalize.create_dataset_import_job(
        jobName=f"{name}-{dataset_type}",
        datasetArn=dataset,
        dataSource={"dataLocation": location},
        roleArn=ROLE_ARN,
        **job,
    )["datasetImportJobArn"]
    assert describer(personalize, "DatasetImportJob", imported)()["status"] == "ACTIVE"
    return dataset


def run_batch(
    personalize: Any, kind: str, version: str, lines: list[dict[str, Any]], name: str, **job: Any
) -> list[Any]:
    """Run a batch inference or segment job over ``lines`` (immediate progression), with ``job``'s other
    members (filterArn, numResults ...); its output lines."""
    source = put_object(
        personalize, f"{name}/input.json", "".join(json.dumps(line) + "\n" for line in lines).encode()
    )
    output = f"s3://{INPUT_BUCKET}/{name}/out/"
    create = (
        personalize.create_batch_inference_job
        if kind == "Inference"
        else personalize.create_batch_segment_job
    )
    created = create(
        jobName=name,
        solutionVersionArn=version,
        roleArn=ROLE_ARN,
        jobInput={"s3DataSource": {"path": source}},
        jobOutput={"s3DataDestination": {"path": output}},
        **job,
    )
    arn = created["batchInferenceJobArn" if kind == "Inference" else "batchSegmentJobArn"]
    described = describer(personalize, f"Batch{kind}Job", arn)()
    assert described["status"] == "ACTIVE", described
    return [json.loads(line) for line in read_object(personalize, f"{output}input.json.out").splitlines()]


# Films whose segments are known: who watches which genre.


def genre_of(item: int) -> str:
    """Items 0-9 are comedies, 10-14 action comedies, 15-29 action films, 30-39 dramas."""
    return "Comedy" if item < 10 else "Comedy|Action" if item < 15 else "Action" if item < 30 else "Drama"


def film_fans() -> dict[str, list[int]]:
    """Each user's items, oldest first: 20 comedy fans (27 comedies, 3 action films), 20 action fans (27
    action films, 3 dramas) and 10 fans of action comedies; 1500 interactions in all."""
    histories = {}
    for user in range(20):
        histories[f"comedy-fan-{user}"] = [(user + n) % 10 for n in range(27)] + [15 + user % 15] * 3
        histories[f"action-fan-{user}"] = [15 + (user + n) % 15 for n in range(27)] + [30 + user % 10] * 3
    for user in range(10):
        histories[f"action-comedy-fan-{user}"] = [10 + (user + n) % 5 for n in range(30)]
    return histories


# Actions data, for the Next-Best-Action recipe.
NEXT_BEST_ACTION = "arn:aws:personalize:::recipe/aws-next-best-action"
ACTIONS_SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Actions",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [
            {"name": "ACTION_ID", "type": "string"},
            {"name": "VALUE", "type": ["null", "long"]},
            {"name": "CATEGORY", "type": "string", "categorical": True},
            {"name": "EXPIRATION_TIMESTAMP", "type": ["null", "long"]},
            {"name": "REPEAT_FREQUENCY", "type": ["null", "long"]},
        ],
        "version": "1.0",
    }
)
ACTION_INTERACTIONS_SCHEMA = avro(
    "ActionInteractions",
    ("USER_ID", "string"),
    ("ACTION_ID", "string"),
    ("TIMESTAMP", "long"),
    ("EVENT_TYPE", "string"),
)
FAR_FUTURE, PAST = 4_102_444_800, 946_684_800  # 2100 and 2000
ACTIONS_CSV = (
    "ACTION_ID,VALUE,CATEGORY,EXPIRATION_TIMESTAMP,REPEAT_FREQUENCY\n"
    f"enroll,10,loyalty,{FAR_FUTURE},\n"
    f"download-app,5,app,{FAR_FUTURE},7\n"
    f"apply-card,50,finance,{FAR_FUTURE},\n"
    f"old-offer,100,finance,{PAST},\n"
    f"rare,1,app,{FAR_FUTURE},\n"
)
START = 1_767_225_600


def action_interactions_csv() -> str:
    """120 users: every user sees enroll, download-app and apply-card; the even users take enroll and
    download-app, the others apply-card; rare is taken by a few. Each scored action gets more than 50 TAKEN
    and 50 NOT_TAKEN interactions."""
    lines = ["USER_ID,ACTION_ID,TIMESTAMP,EVENT_TYPE"]
    for user in range(120):
        taken = ("enroll", "download-app") if user % 2 == 0 else ("apply-card",)
        for step, action in enumerate(("enroll", "download-app", "apply-card")):
            event = "TAKEN" if action in taken else "NOT_TAKEN"
            lines.append(f"u{user},{action},{START + 1000 * user + step},{event}")
        if user < 3:
            lines.append(f"u{user},rare,{START + 1000 * user + 9},TAKEN")
    return "\n".join(lines) + "\n"

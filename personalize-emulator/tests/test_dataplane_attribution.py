"""Metric attributions, in both modes: an import with publishAttributionMetricsToS3 writes its report in
AWS's layout to the metric attribution's S3 destination, with values computed from the imported data."""

import json
from collections import defaultdict
from typing import Any

from .pipeline import import_dataset, read_object, rows
from .support import INPUT_BUCKET, ROLE_ARN, sibling_client

INTERACTIONS_SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Interactions",
        "namespace": "com.amazonaws.personalize.schema",
        "fields": [
            {"name": "USER_ID", "type": "string"},
            {"name": "ITEM_ID", "type": "string"},
            {"name": "TIMESTAMP", "type": "long"},
            {"name": "EVENT_TYPE", "type": "string"},
            {"name": "EVENT_ATTRIBUTION_SOURCE", "type": ["null", "string"]},
        ],
        "version": "1.0",
    }
)
ITEMS_SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Items",
        "fields": [{"name": "ITEM_ID", "type": "string"}, {"name": "PRICE", "type": "float"}],
    }
)
PRICES = {f"i{number}": float(number + 1) for number in range(10)}
START = 1_767_225_600  # a multiple of 900
SOURCES = ("campaign-a", "campaign-b", "")
INTERACTIONS = [
    (
        f"u{n % 60}",
        f"i{n % 10}",
        START + (n % 3) * 900 + n % 7,
        "purchase" if n % 4 == 0 else "click",
        SOURCES[n % 3],
    )
    for n in range(1200)
]


def expected_rows() -> list[dict[str, str]]:
    revenue: dict[tuple[str, int], float] = defaultdict(float)
    clicks: dict[tuple[str, int], float] = defaultdict(float)
    for _, item, timestamp, event_type, source in INTERACTIONS:
        interval = timestamp // 900 * 900
        if event_type == "purchase":
            revenue[source, interval] += PRICES[item]
        else:
            clicks[source, interval] += 1

    def lines(
        name: str, event_type: str, function: str, values: dict[tuple[str, int], float]
    ) -> list[dict[str, str]]:
        return [
            {
                "METRIC_NAME": name,
                "EVENT_TYPE": event_type,
                "VALUE": str(value),
                "MATH_FUNCTION": function,
                "EVENT_ATTRIBUTION_SOURCE": source,
                "TIMESTAMP": str(interval),
            }
            for (source, interval), value in sorted(values.items())
        ]

    return lines("REVENUE", "purchase", "sum", revenue) + lines("CLICKS", "click", "samplecount", clicks)


def test_an_import_publishes_its_attribution_metrics_to_s3(personalize: Any) -> None:
    group = personalize.create_dataset_group(name="attributed")["datasetGroupArn"]
    items_csv = "ITEM_ID,PRICE\n" + "".join(f"{item},{price}\n" for item, price in PRICES.items())
    import_dataset(personalize, group, "Items", items_csv.encode(), ITEMS_SCHEMA)
    metrics = [
        {"eventType": "purchase", "metricName": "REVENUE", "expression": "SUM(Items.PRICE)"},
        {"eventType": "click", "metricName": "CLICKS", "expression": "SAMPLECOUNT()"},
    ]
    path = f"s3://{INPUT_BUCKET}/attribution/"
    personalize.create_metric_attribution(
        name="revenue",
        datasetGroupArn=group,
        metrics=metrics,
        metricsOutputConfig={"roleArn": ROLE_ARN, "s3DataDestination": {"path": path}},
    )
    interactions_csv = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_ATTRIBUTION_SOURCE\n" + "".join(
        ",".join(map(str, row)) + "\n" for row in INTERACTIONS
    )
    import_dataset(
        personalize,
        group,
        "Interactions",
        interactions_csv.encode(),
        INTERACTIONS_SCHEMA,
        publishAttributionMetricsToS3=True,
    )
    listed = sibling_client(personalize, "s3").list_objects_v2(Bucket=INPUT_BUCKET, Prefix="attribution/")
    (key,) = [entry["Key"] for entry in listed["Contents"]]
    assert key.startswith("attribution/AggregatedAttributionMetrics - FULL - ") and key.endswith(".csv")
    report = read_object(personalize, f"s3://{INPUT_BUCKET}/{key}")
    assert (
        report.splitlines()[0]
        == "METRIC_NAME,EVENT_TYPE,VALUE,MATH_FUNCTION,EVENT_ATTRIBUTION_SOURCE,TIMESTAMP"
    )
    assert rows(report) == expected_rows()


def test_an_import_without_the_flag_publishes_nothing(personalize: Any) -> None:
    group = personalize.create_dataset_group(name="quiet")["datasetGroupArn"]
    personalize.create_metric_attribution(
        name="clicks",
        datasetGroupArn=group,
        metrics=[{"eventType": "click", "metricName": "CLICKS", "expression": "SAMPLECOUNT()"}],
        metricsOutputConfig={
            "roleArn": ROLE_ARN,
            "s3DataDestination": {"path": f"s3://{INPUT_BUCKET}/quiet-metrics/"},
        },
    )
    interactions_csv = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_ATTRIBUTION_SOURCE\n" + "".join(
        ",".join(map(str, row)) + "\n" for row in INTERACTIONS
    )
    import_dataset(personalize, group, "Interactions", interactions_csv.encode(), INTERACTIONS_SCHEMA)
    listed = sibling_client(personalize, "s3").list_objects_v2(Bucket=INPUT_BUCKET, Prefix="quiet-metrics/")
    assert listed.get("KeyCount", 0) == 0

"""Metric attribution reports: what a dataset import publishes to S3 with ``publishAttributionMetricsToS3``.

AWS's layout ("Publishing metrics to Amazon S3",
https://docs.aws.amazon.com/personalize/latest/dg/metric-attribution-results.html): one new CSV file per
import, ``AggregatedAttributionMetrics - ImportMethod - Timestamp.csv``, with the columns
``METRIC_NAME,EVENT_TYPE,VALUE,MATH_FUNCTION,EVENT_ATTRIBUTION_SOURCE,TIMESTAMP``, one row per metric, event
attribution source and 15-minute interval. A metric (``MetricAttribute``) counts the imported interactions of
its event type with ``SAMPLECOUNT()``, or sums an Items field over them with ``SUM(Items.FIELD)``
("Creating a metric attribution"). Where AWS does not say, the choices here: TIMESTAMP is the interval's start
(epoch seconds, a multiple of 900); event types match exactly; interactions without an attribution source are
reported with an empty EVENT_ATTRIBUTION_SOURCE; an item without the summed field adds nothing; rows are
ordered by metric, source, then interval.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

INTERVAL_SECONDS = 900
COLUMNS = ("METRIC_NAME", "EVENT_TYPE", "VALUE", "MATH_FUNCTION", "EVENT_ATTRIBUTION_SOURCE", "TIMESTAMP")
_EXPRESSION = re.compile(
    r"\s*(?:(SAMPLECOUNT)\(\s*\)|(SUM)\(\s*ITEMS\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*\))\s*", re.I
)


class AttributionError(ValueError):
    """A metric expression the report cannot compute."""


def report_name(import_mode: str, timestamp: int) -> str:
    return f"AggregatedAttributionMetrics - {import_mode} - {timestamp}.csv"


def attribution_report(
    interactions: pa.Table, items: pa.Table | None, metrics: Sequence[Mapping[str, Any]]
) -> bytes:
    """The report of ``metrics`` (MetricAttribute members) over the imported ``interactions``."""
    lines = [",".join(COLUMNS)]
    if "EVENT_TYPE" not in interactions.column_names:
        return ("\n".join(lines) + "\n").encode()
    sources = (
        pc.fill_null(interactions["EVENT_ATTRIBUTION_SOURCE"], "")
        if "EVENT_ATTRIBUTION_SOURCE" in interactions.column_names
        else pa.array([""] * interactions.num_rows, pa.string())
    )
    intervals = pc.multiply(pc.divide(interactions["TIMESTAMP"], INTERVAL_SECONDS), INTERVAL_SECONDS)
    for metric in metrics:
        function, field = _parse(metric["expression"])
        chosen = pc.fill_null(pc.equal(interactions["EVENT_TYPE"], metric["eventType"]), False)
        table = pa.table(
            {
                "source": pc.filter(sources, chosen),
                "interval": pc.filter(intervals, chosen),
                "value": _values(interactions.filter(chosen), items, function, field),
            }
        )
        grouped = table.group_by(["source", "interval"], use_threads=False).aggregate([("value", "sum")])
        grouped = grouped.sort_by([("source", "ascending"), ("interval", "ascending")])
        for source, interval, value in zip(
            grouped["source"].to_pylist(),
            grouped["interval"].to_pylist(),
            grouped["value_sum"].to_pylist(),
            strict=True,
        ):
            row = (
                metric["metricName"],
                metric["eventType"],
                f"{float(value or 0.0)}",
                function,
                source,
                str(interval),
            )
            lines.append(",".join(row))
    return ("\n".join(lines) + "\n").encode()


def _parse(expression: str) -> tuple[str, str | None]:
    match = _EXPRESSION.fullmatch(expression)
    if match is None:
        raise AttributionError(
            f"Unsupported metric expression {expression!r}: use SAMPLECOUNT() or SUM(Items.FIELD)."
        )
    return ("samplecount", None) if match[1] else ("sum", match[3])


def _values(chosen: pa.Table, items: pa.Table | None, function: str, field: str | None) -> pa.Array:
    if function == "samplecount":
        return pa.array([1.0] * chosen.num_rows, pa.float64())
    if items is None or field is None:
        return pa.array([0.0] * chosen.num_rows, pa.float64())
    column = next((name for name in items.column_names if name.upper() == field.upper()), None)
    if column is None:
        raise AttributionError(f"The Items dataset has no field {field} to sum.")
    rows = pc.index_in(chosen["ITEM_ID"], value_set=items["ITEM_ID"].combine_chunks())
    values = items[column].combine_chunks().take(rows)
    return pc.fill_null(pc.cast(values, pa.float64()), 0.0)

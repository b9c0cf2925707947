"""The metrics chart and the page's formats, from a read model built in the test (no I/O)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest

from airflow_provider_personalize.ui.app import _duration
from airflow_provider_personalize.ui.charts import metric_label, metrics_chart
from airflow_provider_personalize.ui.overview import Job, Solution, SolutionVersion

SVG = "{http://www.w3.org/2000/svg}"
NIGHT = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def version(number: int, metrics: dict[str, float], status: str = "ACTIVE") -> SolutionVersion:
    started = NIGHT + timedelta(days=number)
    training = Job("training", f"v{number}", f"arn:v{number}", "shop", status, False, started, 1800.0)
    return SolutionVersion(f"arn:v{number}", f"v{number}", status, training, metrics)


def solution(*versions: SolutionVersion) -> Solution:
    return Solution("shop", "arn:solution/shop", "ACTIVE", "aws-user-personalization", list(versions), 0)


def lines(svg: str) -> dict[str, list[tuple[str, str]]]:
    """Per line of the chart (by its legend): its points' (label, value) pairs, left to right."""
    root = ElementTree.fromstring(svg)
    overlay = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "plot overlay")
    legends = [
        legend.findtext(f"{SVG}text")
        for legend in root.iter(f"{SVG}g")
        if legend.get("id", "").startswith("activate-serie")
    ]
    points = [
        [
            (point.findtext(f"{SVG}desc[@class='label']"), point.findtext(f"{SVG}desc[@class='value']"))
            for point in line.iter(f"{SVG}g")
            if point.get("class") == "dots"
        ]
        for line in overlay
    ]
    return dict(zip(legends, points, strict=True))


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("normalized_discounted_cumulative_gain_at_10", "NDCG@10"),
        ("mean_reciprocal_rank_at_25", "MRR@25"),
        ("precision_at_5", "precision@5"),
        ("coverage", "coverage"),
        ("average_rewards_at_k", "average_rewards_at_k"),  # not a number of results: left as it is
        ("a_future_metric", "a_future_metric"),
    ],
)
def test_metric_names_are_abbreviated_as_the_console_does(name, label):
    assert metric_label(name) == label


def test_the_chart_has_one_point_per_trained_version_oldest_first_on_every_line():
    newest_first = [
        version(3, {"coverage": 0.31, "precision_at_10": 0.12}),
        version(2, {}, status="CREATE FAILED"),  # a failed training has no metrics: no point
        version(1, {"coverage": 0.29, "precision_at_10": 0.11}),
    ]
    chart = lines(metrics_chart(solution(*newest_first)))
    assert set(chart) == {"coverage", "precision@10"}
    assert [label for label, _ in chart["coverage"]] == ["v1", "v3"]
    assert [value.rpartition(": ")[2] for _, value in chart["precision@10"]] == ["0.11", "0.12"]


def test_a_metric_some_versions_lack_has_points_only_where_it_exists():
    chart = lines(
        metrics_chart(
            solution(version(2, {"coverage": 0.3, "new_metric": 0.5}), version(1, {"coverage": 0.2}))
        )
    )
    assert [label for label, _ in chart["coverage"]] == ["v1", "v2"]
    assert [label for label, _ in chart["new_metric"]] == ["v2"]


def test_no_chart_without_a_trained_version():
    assert metrics_chart(solution()) is None
    assert metrics_chart(solution(version(1, {}, status="CREATE IN_PROGRESS"))) is None


def test_the_chart_loads_nothing_from_the_network():
    svg = metrics_chart(solution(version(1, {"coverage": 0.2}), version(2, {"coverage": 0.3})))
    # pygal's default adds its tooltip script from the internet; the page must work offline.
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", svg)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.4, "0.4 s"), (59.94, "59.9 s"), (61, "1 min 01 s"), (3599, "59 min 59 s"), (5400, "1 h 30 min")],
)
def test_durations_read_as_a_person_would_say_them(seconds, shown):
    assert _duration(seconds) == shown

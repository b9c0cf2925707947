"""The metrics chart: a solution's offline metrics over its versions, drawn server-side as SVG by pygal.

One line per metric, one point per trained version, placed at the time its training started: the page
needs no script and no chart library in the browser. pygal's own tooltip script would be fetched from
the internet, so the chart is rendered without it (``js=[]``); each point carries its version id and
value in pygal's ``desc`` elements, which the page turns into native tooltips.
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta

import pygal
from pygal.style import Style

from airflow_provider_personalize.ui.overview import Solution

# GetSolutionMetrics' names (https://docs.aws.amazon.com/personalize/latest/dg/working-with-training-metrics.html)
# as the console abbreviates them.
_METRIC_ABBREVIATIONS = {
    "normalized_discounted_cumulative_gain": "NDCG",
    "mean_reciprocal_rank": "MRR",
    "precision": "precision",
    "coverage": "coverage",
    "average_rewards": "average rewards",
}
# At most this many time labels under the chart, whatever the number of versions.
_TIME_LABELS = 8
_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#9aa5b1",
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    title_font_size=13,
    legend_font_size=13,
    colors=("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"),
)


def metric_label(name: str) -> str:
    """``normalized_discounted_cumulative_gain_at_10`` -> ``NDCG@10``; unknown names unchanged."""
    match = re.fullmatch(r"(?P<base>[a-z_]+?)(?:_at_(?P<k>\d+))?", name)
    if not match or match["base"] not in _METRIC_ABBREVIATIONS:
        return name
    label = _METRIC_ABBREVIATIONS[match["base"]]
    return f"{label}@{match['k']}" if match["k"] else label


def metrics_chart(solution: Solution) -> str | None:
    """The SVG of the solution's metrics over its trained versions (oldest first), or None if none has any."""
    trained = [version for version in reversed(solution.versions) if version.metrics]
    if not trained:
        return None
    starts = [version.training.started.astimezone(UTC) for version in trained]
    # Versions trained within a day (a demo, a test) are told apart by the time; nightly ones by the day.
    if starts[-1] - starts[0] < timedelta(days=1):
        time_format, x_title = "%H:%M:%S", f"training start, {starts[0]:%Y-%m-%d} (UTC)"
    else:
        time_format, x_title = "%Y-%m-%d", "training start (UTC)"
    chart = pygal.DateTimeLine(
        js=[],
        disable_xml_declaration=True,
        style=_STYLE,
        width=1100,
        height=380,
        dots_size=4,
        legend_at_bottom=True,
        legend_at_bottom_columns=4,
        truncate_legend=-1,
        x_labels=starts,
        x_labels_major_count=_TIME_LABELS,
        show_minor_x_labels=False,
        x_title=x_title,
        x_value_formatter=lambda moment: moment.strftime(time_format),
        value_formatter=lambda value: f"{value:.3g}",
    )
    for name in solution.metric_names:
        chart.add(
            metric_label(name),
            [
                {"value": (start, version.metrics[name]), "label": version.version_id}
                for start, version in zip(starts, trained, strict=True)
                if name in version.metrics
            ],
        )
    return chart.render(is_unicode=True)

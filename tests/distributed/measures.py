"""What the distributed test measures: processes from /proc, and requests at the emulator.

- :class:`ProcessSampler`: every second, each component's process tree (a process and all it started):
  its resident and proportional memory (RSS counts pages shared between the processes of a tree once per
  process, PSS splits them) at their peak, and its CPU time.
- :class:`Recording`: moto's request recorder, on the emulator: every request with its headers and body,
  from which :func:`describes_per_job` counts the status checks each job cost, by caller.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from personalize_emulator.harness.pytest_plugin import PersonalizeEmulatorServer

from demo.deployment import process_trees

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _status_kib(pid: int, field: str, file: str = "status") -> int:
    try:
        text = Path(f"/proc/{pid}/{file}").read_text()
    except OSError:
        return 0
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def cpu_seconds(pid: int) -> float:
    """User and system time of the process and of the children it has waited for."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / CLOCK_TICKS  # utime, stime, cutime, cstime


class ProcessSampler:
    """Samples the process trees of ``roots`` (name -> pid) every second while in its ``with`` block."""

    def __init__(self, roots: dict[str, int]) -> None:
        self.roots = roots
        self.peak_rss_mib: dict[str, float] = dict.fromkeys(roots, 0.0)
        self.peak_pss_mib: dict[str, float] = dict.fromkeys(roots, 0.0)
        self.cpu_seconds: dict[str, float] = dict.fromkeys(roots, 0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ProcessSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            trees = process_trees(self.roots.values())
            for name, root in self.roots.items():
                tree = trees[root]
                rss = sum(_status_kib(pid, "VmRSS") for pid in tree) / 1024
                pss = sum(_status_kib(pid, "Pss", "smaps_rollup") for pid in tree) / 1024
                self.peak_rss_mib[name] = max(self.peak_rss_mib[name], rss)
                self.peak_pss_mib[name] = max(self.peak_pss_mib[name], pss)
                # A killed tree reads 0: it keeps what it had used.
                self.cpu_seconds[name] = max(self.cpu_seconds[name], sum(map(cpu_seconds, tree)))


class Recording:
    """moto's request recorder on the emulator (it writes to ``MOTO_RECORDER_FILEPATH``)."""

    def __init__(self, server: PersonalizeEmulatorServer, path: Path) -> None:
        self.server, self.path = server, path

    def start(self) -> None:
        self.server._post("/moto-api/recorder/reset-recording")
        self.server._post("/moto-api/recorder/start-recording")

    def stop(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(operation, caller, request body) of each Personalize control-plane request recorded. The
        caller is ``triggerer`` for aiobotocore's requests (the trigger's), ``worker`` for botocore's."""
        self.server._post("/moto-api/recorder/stop-recording")
        calls = []
        for line in self.path.read_text().splitlines():
            request = json.loads(line)
            headers = {key.lower(): value for key, value in request["headers"].items()}
            target = headers.get("x-amz-target", "")
            if target.startswith("AmazonPersonalize."):
                body = base64.b64decode(request["body"]) if request["body_encoded"] else request["body"]
                caller = "triggerer" if "aiobotocore" in headers.get("user-agent", "") else "worker"
                calls.append((target.partition(".")[2], caller, json.loads(body or "{}")))
        return calls


# What each kind of waited-for job is described with.
DESCRIBES = {
    "import": ("DescribeDatasetImportJob", "datasetImportJobArn"),
    "training": ("DescribeSolutionVersion", "solutionVersionArn"),
    "deploy": ("DescribeCampaign", "campaignArn"),
    "export": ("DescribeDatasetExportJob", "datasetExportJobArn"),
}


def describes_per_job(
    calls: list[tuple[str, str, dict[str, Any]]], jobs: dict[str, list[str]]
) -> dict[str, dict[str, float]]:
    """Per kind, for its ``jobs`` (ARNs): Describe calls per job (mean, max), and the triggerer's share."""
    counts: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for operation, caller, body in calls:
        for kind, (describe, member) in DESCRIBES.items():
            if operation == describe and body.get(member) in jobs[kind]:
                counts[kind]["all", body[member]] += 1
                counts[kind][caller, body[member]] += 1
    figures = {}
    for kind, arns in jobs.items():
        per_job = [counts[kind]["all", arn] for arn in arns]
        from_triggerer = sum(counts[kind]["triggerer", arn] for arn in arns)
        figures[kind] = {
            "jobs": len(arns),
            "describes_per_job_mean": round(sum(per_job) / len(arns), 1),
            "describes_per_job_max": max(per_job),
            "from_triggerer_per_job": round(from_triggerer / len(arns), 1),
        }
    return figures

"""DAG-parse cost of our operators module against the amazon provider's bedrock operators module.

Every DAG file that uses an operator imports its module when the DAG processor parses it, so what the
module adds to import time is paid on every parse. For each module, in fresh interpreters
(``python -X importtime``), this measures the import time that module adds beyond a shared baseline that
any AWS provider's DAG pays anyway (the Task SDK and the amazon provider's base operator, hook and link
modules): the summed self time of every module imported beyond the baseline's. The median of ``--runs``
runs is reported, with the heaviest added modules. Goal (issue 4): ours adds no more than bedrock's.

Run: ``uv run --frozen --all-extras python bench/parse_cost.py [--runs N]``. Reports figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from collections import Counter

BASELINE = (
    "airflow.sdk",
    "airflow.providers.amazon.aws.operators.base_aws",
    "airflow.providers.amazon.aws.hooks.base_aws",
    "airflow.providers.amazon.aws.links.base_aws",
    "airflow.providers.amazon.aws.utils",
)
CANDIDATES = {
    "ours": "airflow_provider_personalize.operators.personalize",
    "bedrock": "airflow.providers.amazon.aws.operators.bedrock",
}


def self_times(modules: tuple[str, ...], environment: dict[str, str]) -> dict[str, int]:
    """Self import time (microseconds) of every module a fresh interpreter imports for ``modules``."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "; ".join(f"import {module}" for module in modules)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    times: dict[str, int] = {}
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative_us, name = line.removeprefix("import time:").split("|")
        times[name.strip()] = int(self_us)
    return times


def added_cost(module: str, environment: dict[str, str]) -> tuple[int, dict[str, int]]:
    """Microseconds ``module`` adds beyond the baseline, and the modules that add them."""
    baseline = self_times(BASELINE, environment)
    with_module = self_times((*BASELINE, module), environment)
    added = {name: self_us for name, self_us in with_module.items() if name not in baseline}
    return sum(added.values()), added


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--top", type=int, default=8, help="heaviest added modules to list per candidate")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="parse-cost-") as scratch:
        # Bytecode is cached (in the scratch folder, not the source tree) as an installed package's is:
        # without it, a module's import time would be mostly compiling its source.
        environment = {
            **{name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"},
            "PYTHONPYCACHEPREFIX": scratch,
            "AIRFLOW_HOME": scratch,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        }
        for module in (*CANDIDATES.values(), *BASELINE):  # fill the bytecode cache once
            self_times((module,), environment)
        totals: dict[str, list[int]] = {label: [] for label in CANDIDATES}
        heaviest: dict[str, Counter[str]] = {label: Counter() for label in CANDIDATES}
        counts: dict[str, int] = {}
        for _ in range(arguments.runs):
            for label, module in CANDIDATES.items():  # interleaved, so drift affects both alike
                total, added = added_cost(module, environment)
                totals[label].append(total)
                heaviest[label].update(added)
                counts[label] = len(added)

    print(f"Import time added beyond the baseline ({', '.join(BASELINE)}), median of {arguments.runs} runs:")
    for label, module in CANDIDATES.items():
        median_us = statistics.median(totals[label])
        spread = f"{min(totals[label]) / 1000:.1f}..{max(totals[label]) / 1000:.1f}"
        print(f"  {label:8} {module}: {median_us / 1000:7.1f} ms ({spread} ms), {counts[label]} modules")
        for name, summed_us in heaviest[label].most_common(arguments.top):
            print(f"             {summed_us / arguments.runs / 1000:6.1f} ms  {name}")
    ratio = statistics.median(totals["ours"]) / statistics.median(totals["bedrock"])
    print(f"ours / bedrock = {ratio:.2f} (goal: <= 1)")


if __name__ == "__main__":
    main()

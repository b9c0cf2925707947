"""``python -m bench [NAME ...]``: run the named benchmarks (all the quick ones when none is named).

Each benchmark is a module with a ``main()``: the provider's in this package, the local Personalize
service's in ``personalize-emulator/bench`` (its own product, whose benchmarks live beside it). Each runs
in a subprocess of its own, from its product's directory, so that one's imports and memory do not colour
the next one's figures.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EMULATOR = ROOT / "personalize-emulator"
QUICK = {
    "parse_cost": ROOT,
    "config_parse": ROOT,
    "polling_economy": ROOT,
    "emulator_describe": EMULATOR,
    "emulator_import": EMULATOR,
    "emulator_training": EMULATOR,
    "view_cost": ROOT,
    "validation_cost": ROOT,
}
SLOW = {"emulator_runtime": EMULATOR, "triggerer": ROOT}  # minutes each: name them to run them
BENCHMARKS = QUICK | SLOW


def main(argv: list[str]) -> int:
    names = argv or list(QUICK)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    failed = 0
    for name in names:
        print(f"\n=== bench.{name}", flush=True)
        run = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=BENCHMARKS[name])
        failed += run.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""``python -m bench [NAME ...]``: run the named benchmarks (all the quick ones when none is named).

Each benchmark is a module of this package with a ``main()``; each runs in a subprocess of its own,
so that one's imports and memory do not colour the next one's figures.
"""

from __future__ import annotations

import subprocess
import sys

QUICK = ("parse_cost", "polling_economy", "emulator_describe", "emulator_import", "emulator_training")
SLOW = ("emulator_runtime", "triggerer")  # minutes each: name them to run them


def main(argv: list[str]) -> int:
    names = argv or list(QUICK)
    unknown = sorted(set(names) - set(QUICK) - set(SLOW))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; known: {', '.join(QUICK + SLOW)}", file=sys.stderr)
        return 2
    failed = 0
    for name in names:
        print(f"\n=== bench.{name}", flush=True)
        failed += subprocess.run([sys.executable, "-m", f"bench.{name}"]).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

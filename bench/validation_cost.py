"""What validating a task's arguments costs, and what it catches: the input corpus, run as tasks.

Runs every case of tests/input_corpus.py the way the unit test does (a real botocore client whose
``before-send`` handler stops the first request) and reports:

- bad inputs: how many fail before any request is sent, and how many of those name their parameter
  (goal 100 % and 100 %); valid-but-unusual inputs: how many reach the service (goal 100 %);
- the time a task spends building, rendering and validating until its first request or its error, per
  case (median, p90, max over the warm cases), the first case's (cold: botocore's service model and the
  compiled patterns are loaded on first use, once per worker process) and the three slowest (the first
  filter loads Lark and builds its parser, the first tag, a \\p{...} pattern, loads ``regex``).

Validation runs when a task executes, never when a DAG file is parsed: ``python -m bench.parse_cost``
measures what importing the operators module costs the DAG processor.

Run: ``uv run --frozen --all-extras python -m bench.validation_cost``. Reports figures; asserts nothing.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.input_corpus import BAD, GOOD, client, run


def main() -> None:
    personalize = client()
    outcomes = [(case, run(case, personalize)) for case in BAD + GOOD]
    bad = [(case, outcome) for case, outcome in outcomes if case.parameter]
    rejected = [(case, outcome) for case, outcome in bad if not outcome.sent]
    named = [case for case, outcome in rejected if outcome.names(case.parameter)]
    reached = [
        case for case, outcome in outcomes if not case.parameter and outcome.sent and not outcome.error
    ]
    print(f"bad inputs:  {len(bad)}")
    print(f"  rejected before any request: {len(rejected)} ({100 * len(rejected) / len(bad):.0f} %)")
    print(f"  naming the parameter:        {len(named)} ({100 * len(named) / len(bad):.0f} %)")
    share = 100 * len(reached) / len(GOOD)
    print(f"valid inputs: {len(GOOD)}; reaching the service: {len(reached)} ({share:.0f} %)")
    for case, outcome in bad:
        if outcome.sent:
            print(f"  sent:      {case.id} -> {', '.join(outcome.requests)}")
        elif case not in named:
            print(f"  not named: {case.id} ({case.parameter}): {outcome.error!r}"[:200])
    for case, outcome in outcomes:
        if not case.parameter and case not in reached:
            print(f"  refused:   {case.id}: {outcome.error!r}"[:200])
    cold = outcomes[0][1].seconds
    warm = sorted(outcome.seconds for _, outcome in outcomes[1:])
    p90 = warm[int(0.9 * (len(warm) - 1))]
    print(
        f"time per task until its first request or its error: cold {1000 * cold:.1f} ms; warm median "
        f"{1000 * statistics.median(warm):.2f} ms, p90 {1000 * p90:.2f} ms, max {1000 * warm[-1]:.2f} ms"
    )
    # The slowest are first uses: a worker process pays them once, as the first task that needs them does.
    slowest = sorted(outcomes[1:], key=lambda pair: pair[1].seconds, reverse=True)[:3]
    listed = ", ".join(f"{case.id} {1000 * outcome.seconds:.1f} ms" for case, outcome in slowest)
    print(f"slowest (first uses): {listed}")


if __name__ == "__main__":
    main()

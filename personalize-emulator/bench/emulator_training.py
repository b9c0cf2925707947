"""Training time and metrics on 1,000,000 interactions, for each model the emulator trains.

Synthetic data (50,000 users, 10,000 items, 12 categories; see ``engine/synthetic.py``) goes through the
import checks into an Arrow table, then each recipe's ``train`` runs the full job a solution version runs:
the held-out evaluation model, the metrics, and the final model. UPDATE training on top of the FULL
co-occurrence version, in-process recommendation latency and the stored model's size are reported too.

Goal (issue 3): training on 1M interactions in under 30 s. Prints figures; asserts nothing.
``python -m bench.emulator_training [--interactions N] [--users N] [--items N]``
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from personalize_emulator.engine.avro import parse_schema
from personalize_emulator.engine.datafiles import read_import_data
from personalize_emulator.engine.datastore import TrainingData
from personalize_emulator.engine.synthetic import generate
from personalize_emulator.engine.training import METRIC_NAMES, train

RECIPES = ("aws-popularity-count", "aws-user-personalization")
SHORT_NAMES = {
    "coverage": "cov",
    "mean_reciprocal_rank_at_25": "mrr@25",
    "normalized_discounted_cumulative_gain_at_5": "ndcg@5",
    "normalized_discounted_cumulative_gain_at_10": "ndcg@10",
    "normalized_discounted_cumulative_gain_at_25": "ndcg@25",
    "precision_at_5": "p@5",
    "precision_at_10": "p@10",
    "precision_at_25": "p@25",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args()

    dataset = generate(users=args.users, items=args.items, interactions=args.interactions, seed=1)
    schema = parse_schema(dataset.schemas["Interactions"])
    data = TrainingData(read_import_data([("interactions.csv", dataset.interactions_csv)], schema))
    print(f"{args.interactions:,} interactions, {args.users:,} users, {args.items:,} items")
    print(f"{'recipe':<28}{'seconds':>9}  " + "".join(f"{SHORT_NAMES[name]:>9}" for name in METRIC_NAMES))
    results = {}
    for recipe in RECIPES:
        started = time.perf_counter()
        results[recipe] = train(data, f"arn:aws:personalize:::recipe/{recipe}")
        seconds = time.perf_counter() - started
        metrics = results[recipe].metrics
        print(f"{recipe:<28}{seconds:>9.1f}  " + "".join(f"{metrics[name]:>9.4f}" for name in METRIC_NAMES))

    full = results["aws-user-personalization"]
    started = time.perf_counter()
    train(
        data, "arn:aws:personalize:::recipe/aws-user-personalization", training_mode="UPDATE", previous=full
    )
    print(f"UPDATE on the co-occurrence version: {time.perf_counter() - started:.1f} s")

    model = full.model
    rng = np.random.default_rng(0)
    latencies = []
    for user in rng.integers(0, args.users, 2000):
        started = time.perf_counter()
        model.recommend(f"user-{user}", n=25)
        latencies.append((time.perf_counter() - started) * 1000)
    cut = statistics.quantiles(latencies, n=100)
    print(f"recommend (in-process, 25 items): p50 {cut[49]:.2f} ms, p99 {cut[98]:.2f} ms")
    print(f"stored co-occurrence model: {len(model.to_bytes()) / 1e6:.1f} MB")
    print("goal: training on 1M interactions < 30 s")


if __name__ == "__main__":
    main()

"""Import validation throughput and memory: one 1,000,000-row interactions CSV through the data checks.

The parent process writes a synthetic CSV (USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE) to a temporary file,
then runs each measurement in a fresh child process. The child resets its peak-RSS mark once its modules
are loaded (``/proc/self/clear_refs``; ``ru_maxrss`` would carry the parent's peak across fork and exec),
so "peak RSS" is the import's high-water mark, interpreter, NumPy and pyarrow included; "baseline" is the
RSS just before the import starts.
The child reads the file the way an import job reads an S3 object: as a binary stream (a file object),
and as an iterator of 1 MiB chunks (what ``StreamingBody.iter_chunks`` yields).

Goals (issue 3): at least 500,000 rows/s, peak RSS under 500 MB. Prints figures; asserts nothing.
``python -m bench.emulator_import [--rows N] [--repeat R]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHUNK_BYTES = 1 << 20


def child(path: str, mode: str) -> None:
    from personalize_emulator.engine.avro import parse_schema
    from personalize_emulator.engine.datafiles import read_import_data
    from personalize_emulator.engine.synthetic import INTERACTIONS_SCHEMA

    schema = parse_schema(json.dumps(INTERACTIONS_SCHEMA))
    baseline_kib = _reset_peak_rss()
    with open(path, "rb") as stream:
        content = stream if mode == "stream" else iter(lambda: stream.read(CHUNK_BYTES), b"")
        started = time.perf_counter()
        table = read_import_data([(f"file://{path}", content)], schema)
        seconds = time.perf_counter() - started
    peak_kib = _status_kib("VmHWM")
    figures = {"rows": table.num_rows, "seconds": seconds, "table_bytes": table.nbytes}
    print(json.dumps({**figures, "baseline_kib": baseline_kib, "peak_kib": peak_kib}))


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak_rss() -> int:
    """Reset the peak-RSS mark (VmHWM) to the current RSS, and return that RSS in KiB."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kib("VmRSS")


def measure(path: Path, mode: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, "-m", "bench.emulator_import", "--child", str(path), "--mode", mode],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="stream", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.mode)
        return

    from personalize_emulator.engine.synthetic import generate

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "interactions.csv"
        path.write_bytes(
            generate(users=50_000, items=10_000, interactions=args.rows, seed=1).interactions_csv
        )
        size_mb = path.stat().st_size / 1e6
        print(f"interactions CSV: {args.rows:,} rows, {size_mb:.1f} MB")
        print(f"{'input':<22}{'rows/s':>12}{'MB/s':>8}{'peak RSS MB':>13}{'baseline MB':>13}{'table MB':>10}")
        for mode, label in (("stream", "binary stream"), ("chunks", "1 MiB chunk iterator")):
            runs = [measure(path, mode) for _ in range(args.repeat)]
            seconds = statistics.median(run["seconds"] for run in runs)  # rows/s of the median run
            peak = max(run["peak_kib"] for run in runs) / 1024
            baseline = max(run["baseline_kib"] for run in runs) / 1024
            print(
                f"{label:<22}{runs[0]['rows'] / seconds:>12,.0f}{size_mb / seconds:>8.0f}{peak:>13.0f}"
                f"{baseline:>13.0f}{runs[0]['table_bytes'] / 1e6:>10.0f}"
            )
        print("goal: >= 500,000 rows/s and peak RSS < 500 MB")


if __name__ == "__main__":
    main()

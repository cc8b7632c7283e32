"""The batch grader at two commits, side by side on the same submissions, in one run.

    .venv/bin/python benchmarks/bench_sandbox.py --before aedc57c [--n 50] [--workers 2] [--rounds 2]

Checks ``--before`` out into a temporary git worktree and grades the same ``--n``
submissions (those of ``bench_grading.py``) with ``python -m autograder grade`` from that
worktree and from this one, alternating (before, now, before, now, ...) so that a noisy
neighbour on the machine weighs on both. Every run is cold, as a TA's is: warm workers start,
grade, stop. Prints the wall time and throughput of each run, the medians, and the ratio
now / before (throughput: above 1 is faster). Both trees use this virtual environment.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "benchmarks")]

from bench_grading import build_notebooks  # noqa: E402


def grade(tree: Path, inputs: Path, out: Path, workers: int) -> tuple[float, list[float], dict[str, str]]:
    """Wall seconds, per-submission seconds and scores of one cold ``grade`` run from ``tree``."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(inputs), "--out", str(out), "--workers", str(workers)],
                   cwd=tree, check=True, capture_output=True)
    wall = time.monotonic() - start
    with open(out / "grades.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return wall, [float(r["seconds"]) for r in rows], {r["submission"]: r["score"] for r in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="the git commit to compare with (e.g. the last one before a change)")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
        tmp_path = Path(tmp)
        before = tmp_path / "before"
        subprocess.run(["git", "worktree", "add", "--detach", str(before), args.before], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            (before / ".venv").symlink_to(ROOT / ".venv")
            inputs = tmp_path / "inputs"
            inputs.mkdir()
            build_notebooks(inputs, args.n)
            runs: dict[str, list[tuple[float, list[float], dict[str, str]]]] = {"before": [], "now": []}
            for name, tree in (("before", before), ("now", ROOT)):  # builds expected.json, warms the page cache
                grade(tree, inputs, tmp_path / f"warm-{name}", args.workers)
            for round_ in range(args.rounds):
                for name, tree in (("before", before), ("now", ROOT)):
                    result = grade(tree, inputs, tmp_path / f"out-{name}", args.workers)
                    runs[name].append(result)
                    print(f"round {round_ + 1} {name:>6}: {result[0]:6.1f} s wall, {60 * args.n / result[0]:5.1f} per min, "
                          f"median {statistics.median(result[1]):.2f} s per submission")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, capture_output=True)
    wall = {name: statistics.median(r[0] for r in results) for name, results in runs.items()}
    per = {name: statistics.median(s for r in results for s in r[1]) for name, results in runs.items()}
    same = runs["before"][-1][2] == runs["now"][-1][2]
    print(f"\n{args.n} submissions, {args.workers} workers, {args.rounds} rounds (medians)")
    print(f"{'':>8} {'wall s':>8} {'per min':>8} {'s/sub':>7}")
    for name in ("before", "now"):
        print(f"{name:>8} {wall[name]:8.1f} {60 * args.n / wall[name]:8.1f} {per[name]:7.2f}")
    print(f"throughput now / before: {wall['before'] / wall['now']:.3f}   "
          f"per-submission time now / before: {per['now'] / per['before']:.3f}   same scores: {same}")


if __name__ == "__main__":
    main()

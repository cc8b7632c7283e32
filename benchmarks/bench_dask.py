"""The Dask path against the local grader, side by side on the same machine and submissions.

    .venv/bin/python benchmarks/bench_dask.py [--workers 2] [PATH ...]   # default: examples/

Grades the submissions (default: ``examples/``) with the local grader (``--workers`` warm
workers) and through a throwaway Dask cluster on 127.0.0.1 with as many one-thread workers,
both starting cold (TensorFlow imported by each warm worker), then once more on the same
cluster with its workers already warm (what a long-lived cluster sees from its second batch
on). No cache: every submission is graded each time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.checks.expected import ensure_expected  # noqa: E402
from autograder.distributed.local import LoopbackCluster  # noqa: E402
from autograder.grading.core import DEFAULT_EXPECTED, GradingSettings, grade_submissions  # noqa: E402
from autograder.grading.inputs import Submission, discover  # noqa: E402
from autograder.grading.results import SubmissionResult  # noqa: E402


def _timed(submissions: list[Submission], settings: GradingSettings) -> tuple[float, list[SubmissionResult]]:
    start = time.monotonic()
    results = grade_submissions(submissions, settings)
    return time.monotonic() - start, results


def grade_locally(paths: list[Path], workers: int = 2) -> tuple[float, list[SubmissionResult]]:
    """Wall seconds and results of the local grader (cold warm workers, no cache)."""
    return _timed(discover(paths), GradingSettings(workers=workers))


def grade_with_dask(paths: list[Path], workers: int = 2) -> tuple[float, list[SubmissionResult]]:
    """Start a ``workers``-worker Dask cluster on loopback, grade ``paths`` on it, tear it down.

    Returns:
        The wall seconds of the grading itself (connecting, shipping the code, warming the
        workers' zygotes, grading; not the cluster's start-up) and the results.
    """
    submissions = discover(paths)
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp, LoopbackCluster(Path(tmp), workers) as cluster:
        return _timed(submissions, GradingSettings(scheduler=str(cluster.scheduler_file)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, default=[ROOT / "examples"])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    ensure_expected(DEFAULT_EXPECTED)
    submissions = discover(args.paths)
    n = len(submissions)

    local_s, local = grade_locally(args.paths, args.workers)
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        started = time.monotonic()
        with LoopbackCluster(Path(tmp), args.workers) as cluster:
            startup_s = time.monotonic() - started
            settings = GradingSettings(scheduler=str(cluster.scheduler_file))
            cold_s, cold = _timed(submissions, settings)
            warm_s, warm = _timed(submissions, settings)

    def scores(results: list[SubmissionResult]) -> list[tuple[str, str, float]]:
        return [(r.key, r.status, r.score) for r in results]

    same = scores(local) == scores(cold) == scores(warm)
    print(f"{n} submissions, {args.workers} workers, same machine ({len(os.sched_getaffinity(0))} cores)")
    print(f"{'run':<34}{'wall s':>9}{'s/submission':>14}{'vs local':>10}")
    for name, seconds in (
        ("local grader (cold workers)", local_s),
        ("dask (cold workers, code upload)", cold_s),
        ("dask (warm workers)", warm_s),
    ):
        print(f"{name:<34}{seconds:>9.1f}{seconds / max(n, 1):>14.2f}{seconds / local_s:>9.2f}x")
    print(f"{'dask cluster start-up (not above)':<34}{startup_s:>9.1f}")
    print(f"identical scores and statuses: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())

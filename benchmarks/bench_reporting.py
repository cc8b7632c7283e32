"""The TA's outputs for a class, side by side at two class sizes in one run.

    .venv/bin/python benchmarks/bench_reporting.py [--small 50] [--large 500] [--rounds 3]

Writes every output (gradebook, results, feedback pages, class report, written answers) for
``--small`` and ``--large`` synthetic results and prints the best time of each, the time per
result and the ratio of the two per-result times: near 1 means the outputs scale linearly
with the class (the target: 500 results well under 2 s on a laptop).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_reporting import CHECKS, make_result  # noqa: E402

from autograder.reporting import pages  # noqa: E402


def _results(n: int) -> list:
    statuses = ["graded"] * 8 + ["error", "timeout"]
    return [make_result(f"s{i:04d}", status=statuses[i % 10], seconds=float(i % 97),
                        passed={f"{q}_{what}" for j, (q, what, _) in enumerate(CHECKS) if (i + j) % 3},
                        written={"q1": f"answer {i}"} if i % 4 else {})
            for i in range(n)]


def best_time(n: int, rounds: int) -> float:
    """The fastest of ``rounds`` writes of ``n`` results (the machine is shared: the best is the signal)."""
    results = _results(n)
    with tempfile.TemporaryDirectory() as tmp:
        pages.write_all(results[:2], Path(tmp) / "warm")  # templates and fonts load once per process
        timings = []
        for r in range(rounds):
            start = time.perf_counter()
            pages.write_all(results, Path(tmp) / f"out{r}")
            timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--large", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    small, large = best_time(args.small, args.rounds), best_time(args.large, args.rounds)
    print(f"{args.small:>5} results: {small:6.2f} s  ({1000 * small / args.small:.1f} ms each)")
    print(f"{args.large:>5} results: {large:6.2f} s  ({1000 * large / args.large:.1f} ms each)")
    print(f"per-result ratio large/small: {(large / args.large) / (small / args.small):.2f}")


if __name__ == "__main__":
    main()

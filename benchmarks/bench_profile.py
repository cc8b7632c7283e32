"""Where one submission's time goes, and the batch's throughput against ``otter run``, in one run.

    .venv/bin/python benchmarks/bench_profile.py [--runs 20] [--n 50] [--workers 2] [--otter-n 10]

1. Profile: one warm worker grades the full-marks example ``--runs`` times (and the
   untouched one as many times); for each run the grader-side timeline of the record pipe
   splits the worker's time into sandbox set-up (fork, namespaces, private root, cgroup, uid,
   seccomp: until the first record), the notebook's cells, each question's probes, encoding
   and transfer of the records, and tear-down (killing and cleaning the tree, until the
   worker reports the end). The grader's own share is timed here too: judging (reading the
   channel and every check's verdict) and writing the submission's outputs. Medians.
2. Throughput: ``autograder grade`` (the real command line, cold: warm workers start, grade
   ``--n`` submissions with ``--workers``, write every output, stop) against ``otter run -a
   dist/otter_autograder.zip`` on ``--otter-n`` of the same submissions, one by one. Prints
   both rates and their ratio, and the full-marks notebook's worker-seconds.
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
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "corpus"), str(ROOT / "benchmarks")]

from bench_grading import OTTER_ZIP, bench_otter, build_notebooks  # noqa: E402

from autograder.checks.expected import ensure_expected  # noqa: E402
from autograder.grading.core import DEFAULT_EXPECTED, _result, default_redactor  # noqa: E402
from autograder.grading.inputs import discover  # noqa: E402
from autograder.grading.lesson import KnownLesson  # noqa: E402
from autograder.grading.notebooks import parse_notebook  # noqa: E402
from autograder.reporting.outputs import OutputWriter  # noqa: E402
from autograder.sandbox.limits import SandboxLimits  # noqa: E402
from autograder.sandbox.pool import WarmWorker  # noqa: E402
from autograder.sandbox.runner import Job  # noqa: E402

PHASES = ("set-up", "cells", "q1 probes", "q2 probes", "q3 probes", "q4 probes", "records", "tear-down",
          "worker total", "judging", "outputs")


def timeline(answer) -> dict[str, float]:
    """The worker-side phases of one answer, from when each record reached the grader."""
    import json

    kinds = [json.loads(line).get("kind") for line in answer.records]
    times = answer.record_times
    phases: dict[str, float] = defaultdict(float)
    phases["set-up"] = times[0]
    cells_at = times[kinds.index("cells")]
    phases["cells"] = cells_at - times[0]
    previous = cells_at
    for line, kind, at in zip(answer.records, kinds, times, strict=True):
        if kind != "probe":
            continue
        record = json.loads(line)
        phases[f"{record['id'][:2]} probes"] += record["seconds"]
        phases["records"] += (at - previous) - record["seconds"]  # encoding, the pipe, decoding
        previous = at
    phases["tear-down"] = answer.ended_s - times[kinds.index("done")]
    phases["worker total"] = answer.ended_s
    return phases


def profile(notebook: Path, runs: int, out: Path) -> dict[str, float]:
    """Median seconds of each phase over ``runs`` gradings of ``notebook`` by one warm worker."""
    expected = ensure_expected(DEFAULT_EXPECTED)
    redactor = default_redactor()
    sub = discover([notebook])[0]
    parsed = parse_notebook(sub.data, notebook.name)
    cells = KnownLesson.load().cells_to_run(parsed.cells)
    limits = SandboxLimits()
    writer = OutputWriter(out)
    samples: dict[str, list[float]] = defaultdict(list)
    worker = WarmWorker(0)
    worker.start()
    try:
        for i in range(runs):
            job = Job(f"{i}:{sub.key}", {"id": f"{i}:{sub.key}", "cells": cells, "limits": limits.to_dict()},
                      limits.timeout_s)
            answer = worker.run(job)
            start = time.perf_counter()
            result = _result(sub, parsed, "", answer, expected, redactor, [c["index"] for c in cells])
            judged = time.perf_counter()
            writer.add(result)
            written = time.perf_counter()
            for name, value in timeline(answer).items():
                samples[name].append(value)
            samples["judging"].append(judged - start)
            samples["outputs"].append(written - judged)
        start = time.perf_counter()
        writer.write_all(writer.done)  # grades.csv, feedback pages, the class report: per submission
        samples["outputs"] = [s + (time.perf_counter() - start) / runs for s in samples["outputs"]]
    finally:
        worker.stop()
    return {name: statistics.median(values) for name, values in samples.items()}


def grade_cli(inputs: Path, out: Path, workers: int) -> tuple[float, dict[str, str]]:
    """Wall seconds (start-up included) and scores of one cold ``autograder grade`` run."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(inputs), "--out", str(out),
                    "--workers", str(workers)], cwd=ROOT, check=True, capture_output=True)
    wall = time.monotonic() - start
    with open(out / "grades.csv", newline="") as fh:
        return wall, {r["submission"]: r["score"] for r in csv.DictReader(fh)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="gradings of each profiled notebook")
    parser.add_argument("--n", type=int, default=50, help="submissions in the throughput batch")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--otter-n", type=int, default=10, help="of those, graded with otter run too")
    parser.add_argument("--no-otter", action="store_true", help="profile only")
    args = parser.parse_args()
    ensure_expected(DEFAULT_EXPECTED)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        profiles = {name: profile(ROOT / "examples" / f"{name}.ipynb", args.runs, tmp_path / f"profile-{name}")
                    for name in ("full", "untouched")}
        print(f"one submission, median of {args.runs} runs by one warm worker (seconds)")
        print(f"{'phase':16}" + "".join(f"{name:>12}" for name in profiles))
        for phase in PHASES:
            print(f"{phase:16}" + "".join(f"{p.get(phase, 0.0):>12.3f}" for p in profiles.values()))
        full = profiles["full"]["worker total"]
        print(f"full-marks notebook: {full:.3f} worker-seconds")
        if args.no_otter:
            return
        inputs = tmp_path / "inputs"
        inputs.mkdir()
        paths = build_notebooks(inputs, args.n)
        wall, scores = grade_cli(inputs, tmp_path / "out", args.workers)
        if not OTTER_ZIP.exists():
            from autograder.gradescope import otter_compat

            otter_compat.main(out=OTTER_ZIP, check_solution=False)
        otter = bench_otter(paths[: args.otter_n])
    ours_rate = len(paths) / wall
    otter_rate = args.otter_n / otter["total"]
    same = sum(1 for path in paths[: args.otter_n]
               if otter["scores"].get(path.name) is not None
               and abs(otter["scores"][path.name] - float(scores.get(path.stem, scores.get(path.name, "nan")))) < 1e-6)
    print(f"autograder grade: {len(paths)} submissions, {args.workers} workers, {wall:.1f} s wall (start-up "
          f"included): {ours_rate * 60:.1f} per minute")
    print(f"otter run: {args.otter_n} submissions one by one, {otter['total']:.1f} s: {otter_rate * 60:.1f} per minute")
    print(f"throughput ratio ours/otter: {ours_rate / otter_rate:.1f}x; same total score as otter run: "
          f"{same}/{args.otter_n}")


if __name__ == "__main__":
    main()

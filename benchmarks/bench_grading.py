"""Our batch grader against ``otter run``, side by side on the same submissions, in one run.

    .venv/bin/python benchmarks/bench_grading.py [--n 50] [--otter-n 50] [--workers 2]

Builds ``--n`` submissions (the examples and corpus answers, cycled), grades them all with
our grader (warm workers, ``--workers`` in parallel) and then ``--otter-n`` of them with
``otter run -a dist/otter_autograder.zip`` one by one, sampling the memory of every process
tree. Prints per-submission medians, throughput and their ratio, and peak RSS per worker.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "corpus"), str(ROOT / "benchmarks")]

from corpus import load_corpus  # noqa: E402
from helpers import build_submission, solution_answers, write_submission  # noqa: E402

from autograder.checks.expected import ensure_expected  # noqa: E402
from autograder.grading.core import DEFAULT_EXPECTED, GradingSettings, grade_submissions  # noqa: E402
from autograder.grading.inputs import discover  # noqa: E402

OTTER_ZIP = ROOT / "dist" / "otter_autograder.zip"


class TreeSampler:
    """Samples the RSS of process trees rooted at matching processes, keeping the peak per root."""

    def __init__(self, roots: callable, interval_s: float = 0.5) -> None:
        self._roots = roots
        self._interval = interval_s
        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                roots = self._roots()
            except psutil.Error:
                roots = []
            for root in roots:
                try:
                    procs = [root, *root.children(recursive=True)]
                    # PSS splits pages shared between the warm worker and its child fairly
                    rss = sum(_pss(p) for p in procs if p.is_running()) / 2**20
                except psutil.Error:
                    continue
                self.peaks[root.pid] = max(self.peaks.get(root.pid, 0.0), rss)
            time.sleep(self._interval)


def _pss(proc: psutil.Process) -> int:
    try:
        return proc.memory_full_info().pss
    except (psutil.Error, AttributeError):
        return proc.memory_info().rss


def _zygotes() -> list[psutil.Process]:
    found = []
    for proc in psutil.Process().children(recursive=True):
        try:
            if "autograder.sandbox.zygote" in " ".join(proc.cmdline()):
                found.append(proc)
        except psutil.Error:
            continue
    return found


def build_notebooks(folder: Path, n: int) -> list[Path]:
    """``n`` submissions: the examples, then corpus answers in otherwise correct notebooks."""
    sources = sorted((ROOT / "examples").glob("*.ipynb"))
    solutions = solution_answers()
    paths = []
    for path in sources:
        paths.append(write_submission(folder / path.name, build_submission_from(path)))
    for entry in load_corpus():
        answers = dict(solutions)
        answers[entry.question] = entry.source
        paths.append(write_submission(folder / f"{entry.kind}_{entry.path.stem}.ipynb", build_submission(answers)))
    if n > len(paths):
        return _cycle(paths, n, folder)
    for extra in paths[n:]:  # the folder is graded whole: it must hold exactly the n returned
        extra.unlink()
    return paths[:n]


def build_submission_from(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


def _cycle(paths: list[Path], n: int, folder: Path) -> list[Path]:
    out = list(paths)
    i = 0
    while len(out) < n:
        src = paths[i % len(paths)]
        dst = folder / f"copy{i}_{src.name}"
        dst.write_bytes(src.read_bytes())
        out.append(dst)
        i += 1
    return out


def bench_ours(paths: list[Path], workers: int) -> dict:
    settings = GradingSettings(workers=workers)
    with TreeSampler(_zygotes) as sampler:
        start = time.monotonic()
        results = grade_submissions(discover(paths), settings)
        wall = time.monotonic() - start
    return {
        "wall": wall,
        "median": statistics.median(r.seconds for r in results),
        "peak_rss_mb": max(sampler.peaks.values(), default=0.0),
        "scores": {Path(r.source).name: r.score for r in results},
    }


def bench_otter(paths: list[Path]) -> dict:
    times, peaks, scores = [], [], {}
    otter = str(Path(sys.executable).with_name("otter"))
    for path in paths:
        with tempfile.TemporaryDirectory() as out:
            start = time.monotonic()
            proc = subprocess.Popen([otter, "run", "-a", str(OTTER_ZIP), "-o", out, "--no-logo", str(path)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=out)
            root = psutil.Process(proc.pid)
            with TreeSampler(lambda r=root: [r] if r.is_running() else []) as sampler:
                proc.wait()
            times.append(time.monotonic() - start)
            peaks.append(sampler.peaks.get(proc.pid, 0.0))
            try:
                import json

                data = json.loads((Path(out) / "results.json").read_text())
                scores[path.name] = sum(t.get("score", 0) for t in data.get("tests", []))
            except (OSError, ValueError):
                scores[path.name] = None
    return {"median": statistics.median(times), "total": sum(times), "peak_rss_mb": max(peaks), "scores": scores}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--otter-n", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask (local cluster) column")
    args = parser.parse_args()
    ensure_expected(DEFAULT_EXPECTED)
    if not OTTER_ZIP.exists():
        from autograder.gradescope import otter_compat

        otter_compat.main(out=OTTER_ZIP, check_solution=False)
    with tempfile.TemporaryDirectory() as tmp:
        paths = build_notebooks(Path(tmp), args.n)
        ours = bench_ours(paths, args.workers)
        dask_wall = None
        if not args.no_dask:
            from bench_dask import grade_with_dask

            dask_wall, dask_results = grade_with_dask(paths, workers=args.workers)
            dask_same = sum(1 for r in dask_results if abs(r.score - ours["scores"].get(Path(r.source).name, -1)) < 1e-6)
        otter = bench_otter(paths[: args.otter_n])
    ours_rate = len(paths) / ours["wall"]
    otter_rate = 1.0 / (otter["total"] / max(1, args.otter_n))
    same = sum(1 for k, v in otter["scores"].items() if v is not None and abs(v - ours["scores"].get(k, -1)) < 1e-6)
    print(f"submissions: ours {len(paths)} (workers={args.workers}), otter run {args.otter_n} (one by one)")
    print(f"{'':28}{'ours':>12}{'otter run':>12}")
    print(f"{'median s / submission':28}{ours['median']:>12.2f}{otter['median']:>12.2f}")
    print(f"{'throughput (subs/min)':28}{ours_rate * 60:>12.1f}{otter_rate * 60:>12.1f}")
    print(f"{'peak PSS per worker (MB)':28}{ours['peak_rss_mb']:>12.0f}{otter['peak_rss_mb']:>12.0f}")
    print(f"throughput ratio ours/otter: {ours_rate / otter_rate:.1f}x")
    if dask_wall is not None:
        dask_rate = len(paths) / dask_wall
        print(f"dask (local cluster, {args.workers} one-thread workers, cold): {dask_wall:.1f} s wall, "
              f"{dask_rate * 60:.1f} subs/min, {dask_rate / ours_rate:.2f}x the local grader's throughput, "
              f"same scores as local: {dask_same}/{len(paths)}")
    print(f"same total score as otter run: {same}/{len(otter['scores'])}")


if __name__ == "__main__":
    main()

"""The ``grade`` verb: grade files/folders/zips into an output folder, resumably."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from autograder.gradescope.options import GradescopeOptions
from autograder.grading.core import GradingSettings, grade_submissions
from autograder.grading.inputs import discover
from autograder.grading.results import SubmissionResult
from autograder.reporting import pages
from autograder.reporting.gradebook import write_gradebook
from autograder.reporting.results_json import write_results_json
from autograder.sandbox.limits import SandboxLimits

log = logging.getLogger(__name__)


def write_outputs(results: list[SubmissionResult], out: Path) -> None:
    """Write the gradebook and every report derived from ``results``."""
    write_gradebook(results, out / "grades.csv")
    pages.write_all(results, out)


def main(
    *,
    paths: list[Path],
    out: Path,
    workers: int | None = None,
    timeout_s: float | None = None,
    memory_mb: int | None = None,
    force: bool = False,
    console: object | None = None,
    scheduler: str | None = None,
) -> list[SubmissionResult]:
    """Grade ``paths`` into ``out``: grades.csv, results/<key>.json, feedback and reports.

    Args:
        paths: notebooks, Otter zips, folders (recursive) or Gradescope export folders.
        out: output folder (created); its ``.cache`` keeps results by content hash.
        workers: parallel warm workers (default: number of cores).
        timeout_s: wall clock per submission.
        memory_mb: memory per submission.
        force: regrade even what the cache already holds.
        console: a ``autograder.console.Console`` for progress (None: silent).
        scheduler: grade on this Dask cluster (scheduler address or file) instead of locally.

    Returns:
        One result per submission, in discovery order.

    Raises:
        autograder.gradescope.options.OptionsError: if gradescope_config.json is invalid.
    """
    feedback = GradescopeOptions.load().feedback_before_publishing  # results/ as Gradescope would show them
    submissions = discover(paths)
    limits = SandboxLimits()
    overrides = {}
    if timeout_s is not None:
        overrides["timeout_s"] = float(timeout_s)
    if memory_mb is not None:
        overrides["memory_mb"] = int(memory_mb)
    if overrides:
        limits = SandboxLimits.from_dict({**limits.to_dict(), **overrides})
    settings = GradingSettings(
        limits=limits,
        workers=workers or os.cpu_count() or 1,
        cache_dir=out / ".cache",
        force=force,
        protect=[out, *paths],
        scheduler=scheduler,
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "results").mkdir(exist_ok=True)
    done: list[SubmissionResult] = []
    progress = console.progress(len(submissions)) if console is not None else None

    def on_result(result: SubmissionResult) -> None:
        try:
            write_results_json(result, out / "results" / f"{result.key}.json", feedback=feedback)
        except Exception:  # its row still goes into grades.csv
            log.exception("could not write the results.json of %s", result.key)
        done.append(result)
        if progress is not None:
            progress.advance(result)

    try:
        results = grade_submissions(submissions, settings, on_result, stderr=sys.stderr if log.isEnabledFor(logging.DEBUG) else None)
    except KeyboardInterrupt:
        order = {s.key: i for i, s in enumerate(submissions)}
        done.sort(key=lambda r: order[r.key])
        write_gradebook(done, out / "grades.csv")
        if progress is not None:
            progress.close()
        raise
    except Exception:  # e.g. the Dask cluster cannot be reached: leave the terminal tidy
        if progress is not None:
            progress.close()
        raise
    if progress is not None:
        progress.close()
    write_outputs(results, out)
    return results

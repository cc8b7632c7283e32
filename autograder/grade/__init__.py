"""The ``grade`` verb: grade files, folders and zips into an output folder, resumably.

It wires the pieces and owns nothing of them: :mod:`autograder.grading` grades (inputs,
sandboxed measurement, judging, the cache), :mod:`autograder.reporting` writes what TAs and
students read, as each result arrives and once the batch is done.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from autograder.grade.similarity import write_batch_similarity
from autograder.gradescope.options import GradescopeOptions
from autograder.grading.core import GradingSettings, grade_submissions
from autograder.grading.inputs import Submission, discover
from autograder.grading.results import SubmissionResult
from autograder.reporting import outputs
from autograder.sandbox.limits import SandboxLimits

log = logging.getLogger(__name__)


def settings_for(paths: list[Path], out: Path, *, workers: int | None, timeout_s: float | None,
                 memory_mb: int | None, force: bool, scheduler: str | None) -> GradingSettings:
    """The batch's settings: the default limits with the command line's overrides."""
    overrides: dict[str, Any] = {}
    if timeout_s is not None:
        overrides["timeout_s"] = float(timeout_s)
    if memory_mb is not None:
        overrides["memory_mb"] = int(memory_mb)
    limits = SandboxLimits.from_dict({**SandboxLimits().to_dict(), **overrides})
    return GradingSettings(limits=limits, workers=workers or os.cpu_count() or 1, cache_dir=out / ".cache",
                           force=force, protect=[out, *paths], scheduler=scheduler)


@contextlib.contextmanager
def _progress(console: Any, total: int) -> Iterator[Any]:
    bar = console.progress(total) if console is not None else None
    try:
        yield bar
    finally:  # Ctrl-C, an unreachable cluster: the terminal is left tidy either way
        if bar is not None:
            bar.close()


def main(*, paths: list[Path], out: Path, workers: int | None = None, timeout_s: float | None = None,
         memory_mb: int | None = None, force: bool = False, console: Any = None,
         scheduler: str | None = None) -> list[SubmissionResult]:
    """Grade ``paths`` into ``out``: grades.csv, results/<key>.json, feedback and reports.

    Args:
        paths: notebooks, Otter zips, folders (recursive) or Gradescope export folders.
        out: output folder (created); its ``.cache`` keeps results by content hash.
        workers: parallel warm workers (default: number of cores).
        timeout_s: wall clock per submission.
        memory_mb: memory per submission.
        force: regrade even what the cache already holds.
        console: an ``autograder.console.Console`` for progress (None: silent).
        scheduler: grade on this Dask cluster (scheduler address or file) instead of locally.

    Returns:
        One result per submission, in discovery order.

    Raises:
        autograder.gradescope.options.OptionsError: if gradescope_config.json is invalid.
        autograder.grading.inputs.InputError: if a path cannot be used at all.
        KeyboardInterrupt: after writing grades.csv for the results so far.
    """
    feedback = GradescopeOptions.load().feedback_before_publishing  # results/ as Gradescope would show them
    submissions = discover(paths)
    settings = settings_for(paths, out, workers=workers, timeout_s=timeout_s, memory_mb=memory_mb, force=force,
                            scheduler=scheduler)
    writer = outputs.OutputWriter(out, feedback=feedback)
    with _progress(console, len(submissions)) as bar:
        def on_result(result: SubmissionResult) -> None:
            writer.add(result)
            if bar is not None:
                bar.advance(result)

        try:
            results = grade_submissions(submissions, settings, on_result,
                                        stderr=sys.stderr if log.isEnabledFor(logging.DEBUG) else None)
        except KeyboardInterrupt:
            writer.write_partial(_order(submissions))
            raise
    write_batch_similarity(submissions, results, out)  # before the class report, which links to it
    writer.write_all(results)
    return results


def _order(submissions: list[Submission]) -> dict[str, int]:
    return {s.key: i for i, s in enumerate(submissions)}

"""Grade submissions: sandboxed measurement in warm workers, trusted judgement here.

This is the one grading path: the CLI's batch grader, Gradescope's run_autograder and the
test suite all call :func:`grade_submissions`.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from autograder import paths
from autograder.checks import ALL_CHECKS
from autograder.checks.expected import FINGERPRINT_PREFIXES, ensure_expected, fingerprint, source_files
from autograder.checks.judging import TestResult, apply_source_rule, judge
from autograder.checks.redact import Redactor
from autograder.grading.cache import ResultCache, content_hash
from autograder.grading.channel import ChannelReading, read_channel
from autograder.grading.inputs import Submission
from autograder.grading.lesson import KnownLesson
from autograder.grading.notebooks import NotebookError, ParsedNotebook, parse_notebook
from autograder.grading.results import SubmissionResult
from autograder.probes import PROBE_IDS
from autograder.sandbox.limits import SandboxLimits
from autograder.sandbox.protocol import WorkerAnswer
from autograder.sandbox.runner import Job, JobRunner, RunnerError

log = logging.getLogger(__name__)

DEFAULT_EXPECTED = paths.default_expected()
CACHE_VERSION = "1"


@dataclass
class GradingSettings:
    """How to grade a batch.

    Attributes:
        limits: per-submission sandbox limits.
        workers: warm worker processes run in parallel.
        expected_path: stored reference measurements (built if missing or stale).
        cache_dir: where results are cached by content hash (None: no cache).
        force: regrade even when a cached result exists.
        protect: extra paths hidden from student code (outputs, inputs).
        scheduler: a Dask scheduler address or scheduler file: measure on that cluster's
            workers instead of local ones (None: local). With a scheduler, ``workers`` is
            ignored: the cluster's workers decide the parallelism.
    """

    limits: SandboxLimits = field(default_factory=SandboxLimits)
    workers: int = 1
    expected_path: Path = DEFAULT_EXPECTED
    cache_dir: Path | None = None
    force: bool = False
    protect: list[Path] = field(default_factory=list)
    scheduler: str | None = None


def default_redactor() -> Redactor:
    """Protects the checks' and the reference's source lines."""
    return Redactor([data.decode("utf-8", "replace") for name, data in source_files()
                     if name.startswith(FINGERPRINT_PREFIXES)])


def make_runner(scheduler: str | None, workers: int, *, stderr: TextIO | None = None,
                hidden: list[str] | None = None) -> JobRunner:
    """The local pool of ``workers`` warm processes, or a Dask runner when ``scheduler`` is set.

    Args:
        scheduler: a Dask scheduler address (``tcp://host:8786``) or scheduler file, or None.
        workers: warm processes of the local pool (ignored with a scheduler: the cluster decides).
        stderr: where the local workers' diagnostics go.
        hidden: folders the sandbox must hide should they lie inside what it shows.

    Raises:
        RunnerError: if a scheduler is given but Dask is not installed.
    """
    if scheduler:
        try:
            from autograder.distributed.dask_runner import DaskRunner
        except ImportError as exc:
            raise RunnerError(
                f"--scheduler needs Dask ({exc}); install it with: pip install '.[dask]' -c constraints.txt "
                "-c constraints-dask.txt"
            ) from None
        return DaskRunner(scheduler)
    from autograder.sandbox.pool import WorkerPool

    return WorkerPool(workers, stderr=stderr, hidden=hidden or [])


def hidden_folders(extra: list[Path]) -> list[str]:
    """Folders the sandbox must hide should they lie inside what it shows: ``extra`` (the
    output folder and the inputs; a file's folder stands for the file) and this checkout.

    The sandbox shows an allow-list (the OS and this Python), so these matter only where
    they sit inside it (e.g. a checkout under ``/usr/src``).
    """
    folders = {str(paths.PROJECT_ROOT.resolve())} if paths.PROJECT_ROOT else set()
    for path in extra:
        path = path.resolve()
        folders.add(str(path if path.is_dir() else path.parent))
    return sorted(folders)


def _failed_all(message: str) -> list[TestResult]:
    return [TestResult(c.id, c.question, c.name, c.points, 0.0, False, message) for c in ALL_CHECKS]


TAMPERED = "the grading channel was tampered with"
NOT_THIS_ASSIGNMENT = ("None of this assignment's answer cells were found (the cells tagged answer:q1 to answer:q4 "
                       "in the student notebook): is this the right notebook? Start from the notebook handed out "
                       "for this assignment and keep its cells.")
MAX_CELL_ERRORS = 50
"""Cell errors kept per submission (feedback shows the first ones; redaction costs time)."""
MAX_MESSAGE_CHARS = 2000


@dataclass
class Outcome:
    """The trusted reading of one job: its status, why, and each check's result."""

    status: str
    reason: str
    tests: list[TestResult]
    isolation: dict[str, Any] = field(default_factory=dict)
    cell_errors: list[dict[str, Any]] = field(default_factory=list)


def _stop_reason(answer: WorkerAnswer, reading: ChannelReading) -> tuple[str, str]:
    """Status and reason from how the job ended and how far its records got."""
    status, reason = answer.status, answer.reason
    where = ""
    if not reading.cells_done and reading.last_cell is not None:
        where = f" while running cell {reading.last_cell}"
    elif reading.cells_done and len(reading.probes) < len(ALL_CHECKS):
        where = " while the hidden checks ran"
    if status == "completed" and not reading.finished:
        status, reason = "crashed", "ended the grading process early (os._exit, exit() in a subprocess, or a crash)"
    if status == "completed":
        return "graded", ""
    if status == "timeout":
        return "timeout", f"Grading stopped: the notebook {reason}{where}."
    return "error", f"Grading stopped: the notebook {reason}{where}." if reason else f"Grading stopped{where}."


def judge_answer(answer: WorkerAnswer, cell_indices: list[int], expected: dict[str, list[Any]],
                 redactor: Redactor, sources: list[str]) -> Outcome:
    """Turn a job's answer into an :class:`Outcome` (the only place points are decided)."""
    reading = read_channel(answer.records, cell_indices, PROBE_IDS, incomplete_line=answer.incomplete_line,
                           ran_to_end=answer.status == "completed")
    if reading.tampered:
        log.warning("grading channel tampered with: %s", reading.tampered)
        return Outcome("error", f"Grading stopped: {TAMPERED} ({reading.tampered}).",
                       _failed_all(f"Not graded: {TAMPERED}."), reading.isolation)
    status, reason = _stop_reason(answer, reading)
    tests = [apply_source_rule(c, judge(c, reading.probes.get(c.id), expected.get(c.id, []), redactor), sources)
             for c in ALL_CHECKS]
    cell_errors = [{"index": e["index"], "type": redactor.clean(e["type"][:200]),
                    "message": redactor.clean(e["message"][:MAX_MESSAGE_CHARS])}
                   for e in reading.cell_errors[:MAX_CELL_ERRORS]]
    return Outcome(status, reason, tests, reading.isolation, cell_errors)


def grade_submissions(
    submissions: list[Submission],
    settings: GradingSettings,
    on_result: Callable[[SubmissionResult], None] | None = None,
    *,
    stderr: Any = None,
) -> list[SubmissionResult]:
    """Grade every submission; each gets exactly one result, in input order.

    Args:
        submissions: from :func:`autograder.grading.inputs.discover`.
        settings: limits, workers, cache.
        on_result: called (in this thread) as each result is ready, cached ones included.
        stderr: where worker diagnostics go.

    Raises:
        KeyboardInterrupt: after stopping the workers; results delivered so far are cached.
    """
    expected = ensure_expected(settings.expected_path)
    redactor = default_redactor()
    salt = json.dumps([CACHE_VERSION, fingerprint(), settings.limits.to_dict()], sort_keys=True)
    cache = ResultCache(settings.cache_dir) if settings.cache_dir else None
    results: dict[str, SubmissionResult] = {}

    def deliver(result: SubmissionResult) -> None:
        results[result.key] = result
        if on_result is not None:
            on_result(result)

    def finish(job: Job, answer: WorkerAnswer) -> None:
        sub, parsed, digest = pending[job.id]
        try:
            result = _result(sub, parsed, digest, answer, expected, redactor, [c["index"] for c in job.message["cells"]])
        except Exception as exc:  # a bug or a hostile answer costs this submission only
            log.exception("could not judge %r", sub.source)
            deliver(_error_result(sub, f"Grading stopped: the grader could not judge this notebook ({type(exc).__name__})."))
            return
        if cache is not None and not answer.infrastructure:
            # a dead worker is the grader's failure, not the student's: retry it next run
            cache.put(digest, result.to_dict())
        deliver(result)

    def runner_for(jobs: int) -> JobRunner:
        return make_runner(settings.scheduler, min(settings.workers, jobs), stderr=stderr,
                           hidden=hidden_folders(settings.protect))

    with contextlib.ExitStack() as stack:
        uncached = _uncached(submissions, salt, cache, settings)
        runners: list[JobRunner] = []

        def launch() -> None:
            """Start the workers at the first job: they warm up (seconds of imports) while the rest
            of the batch is planned, and a batch with nothing to run (cached, unparseable) starts none."""
            runners.append(stack.enter_context(runner_for(max(uncached, 1))))  # 0: a cache entry was unreadable

        jobs, pending = _plan(submissions, salt, cache, settings, deliver, launch)
        if jobs:
            runners[0].run(jobs, finish)
    return [results[s.key] for s in submissions if s.key in results]


def _uncached(submissions: list[Submission], salt: str, cache: ResultCache | None, settings: GradingSettings) -> int:
    """How many submissions will need a worker, from their hashes alone (before any parsing)."""
    readable = [s for s in submissions if not s.error and s.data is not None]
    if cache is None or settings.force:
        return len(readable)
    return sum(1 for s in readable if not cache.has(content_hash(s.data, salt)))


def _plan(submissions: list[Submission], salt: str, cache: ResultCache | None, settings: GradingSettings,
          deliver: Callable[[SubmissionResult], None], on_first_job: Callable[[], None],
          ) -> tuple[list[Job], dict[str, tuple[Submission, ParsedNotebook, str]]]:
    """Deliver what needs no worker (cached, unreadable) and make a job of everything else
    (calling ``on_first_job`` as soon as there is one)."""
    jobs: list[Job] = []
    pending: dict[str, tuple[Submission, ParsedNotebook, str]] = {}
    lesson = KnownLesson.load()
    for sub in submissions:
        try:
            ready = _prepare(sub, salt, cache, settings)
        except Exception as exc:  # one unreadable input must never take the batch down
            log.exception("could not prepare %r", sub.source)
            ready = _error_result(sub, f"{Path(sub.source).name}: could not be read ({type(exc).__name__})")
        if isinstance(ready, SubmissionResult):
            deliver(ready)
            continue
        parsed, digest = ready
        cells = lesson.cells_to_run(parsed.cells)  # the lesson's demos that nothing reads stay out
        job_id = f"{len(jobs)}:{sub.key}"
        jobs.append(Job(job_id, {"id": job_id, "cells": cells, "limits": settings.limits.to_dict()},
                        settings.limits.timeout_s))
        pending[job_id] = (sub, parsed, digest)
        if len(jobs) == 1:
            on_first_job()
    return jobs, pending


def _error_result(sub: Submission, reason: str) -> SubmissionResult:
    return SubmissionResult(sub.key, sub.source, sub.student, "error", reason, _failed_all(f"Not graded: {reason}"))


def _prepare(sub: Submission, salt: str, cache: ResultCache | None,
             settings: GradingSettings) -> SubmissionResult | tuple[ParsedNotebook, str]:
    """A ready result (an unreadable input, a cached grade) or what its job needs."""
    if sub.error or sub.data is None:
        return _error_result(sub, sub.error or "no notebook")
    try:
        parsed = parse_notebook(sub.data, Path(sub.source).name)
    except NotebookError as exc:
        return _error_result(sub, str(exc))
    digest = content_hash(sub.data, salt)
    if cache is not None and not settings.force:
        cached = cache.get(digest)
        if cached is not None:
            result = SubmissionResult.from_dict(cached)
            result.key, result.source, result.student = sub.key, sub.source, sub.student
            return result
    return parsed, digest


def _result(sub: Submission, parsed: ParsedNotebook, digest: str, answer: WorkerAnswer,
            expected: dict[str, list[Any]], redactor: Redactor, ran: list[int]) -> SubmissionResult:
    """The submission's result from its job's answer (``ran``: the indices of the cells the job ran)."""
    outcome = judge_answer(answer, ran, expected, redactor, [c["source"] for c in parsed.cells])
    isolation = {**outcome.isolation, **{f"sandbox_{k}": v for k, v in answer.sandbox.items()}}
    reason = outcome.reason
    if not parsed.answer_sources:
        reason = " ".join(filter(None, [NOT_THIS_ASSIGNMENT, reason]))
    return SubmissionResult(
        key=sub.key, source=sub.source, student=sub.student, status=outcome.status, reason=reason,
        tests=outcome.tests, output=answer.output, cell_errors=outcome.cell_errors, written=parsed.written,
        seconds=float(answer.seconds), peak_rss_mb=float(answer.peak_rss_mb), isolation=isolation,
        content_hash=digest,
    )

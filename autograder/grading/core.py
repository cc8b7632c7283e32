"""Grade submissions: sandboxed measurement in warm workers, trusted judgement here.

This is the one grading path: the CLI's batch grader, Gradescope's run_autograder and the
test suite all call :func:`grade_submissions`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.checks import ALL_CHECKS, CHECKS_BY_ID, wire
from autograder.checks.expected import PACKAGE_ROOT, ensure_expected, fingerprint
from autograder.checks.judging import TestResult, judge
from autograder.checks.redact import Redactor
from autograder.grading import static
from autograder.grading.cache import ResultCache, content_hash
from autograder.grading.inputs import Submission
from autograder.grading.notebooks import NotebookError, parse_notebook
from autograder.grading.results import SubmissionResult
from autograder.sandbox.limits import SandboxLimits
from autograder.sandbox.runner import Job, make_runner

log = logging.getLogger(__name__)

DEFAULT_EXPECTED = PACKAGE_ROOT / "build" / "expected.json"
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
    return Redactor.for_paths([PACKAGE_ROOT / "autograder" / "checks", PACKAGE_ROOT / "reference"])


def protected_paths(extra: list[Path]) -> list[str]:
    """Folders and files hidden from student code: our sources and data, plus ``extra``.

    The virtual environment and anything that contains the sandbox's working directory or
    Python itself stay visible (student code needs them to run).
    """
    import sys
    import tempfile

    keep_visible = [Path(sys.prefix).resolve(), Path(tempfile.gettempdir()).resolve()]
    candidates = [p for p in PACKAGE_ROOT.iterdir() if p.name not in (".venv", "venv")]
    candidates += [p.resolve() for p in extra]
    out = []
    for path in candidates:
        path = path.resolve()
        if any(path == k or path in k.parents for k in keep_visible):
            continue
        if path.exists():
            out.append(str(path))
    return sorted(set(out))


def _failed_all(message: str) -> list[TestResult]:
    return [TestResult(c.id, c.question, c.name, c.points, 0.0, False, message) for c in ALL_CHECKS]


def judge_worker_result(
    answer: dict[str, Any],
    expected: dict[str, list[Any]],
    redactor: Redactor,
    sources: list[str],
) -> tuple[str, str, list[TestResult], dict[str, Any], list[dict[str, Any]]]:
    """Turn a worker's answer into status, reason, test results, isolation and cell errors."""
    probes: dict[str, dict[str, Any]] = {}
    isolation: dict[str, Any] = {}
    cell_errors: list[dict[str, Any]] = []
    last_cell: int | None = None
    cells_done = False
    finished = False
    for line in answer.get("records", []):
        try:
            record = wire.loads_line(line)
        except wire.WireError:
            continue
        kind = record.get("kind")
        if kind == "isolation" and not isolation:
            isolation = {k: v for k, v in record.items() if k != "kind"}
        elif kind == "cell" and not cells_done:
            last_cell = record.get("index")
        elif kind == "cells" and not cells_done:
            cells_done = True
            for cell in record.get("cells", []):
                if isinstance(cell, dict) and cell.get("error"):
                    err = cell["error"]
                    cell_errors.append({
                        "index": cell.get("index"),
                        "type": redactor.clean(str(err.get("type", ""))),
                        "message": redactor.clean(str(err.get("message", ""))),
                    })
        elif kind == "done" and cells_done:
            finished = len(probes) == len(ALL_CHECKS)
        elif kind == "probe" and cells_done:
            check_id = record.get("id")
            if isinstance(check_id, str) and check_id in CHECKS_BY_ID and check_id not in probes:
                probes[check_id] = record
    status_raw = answer.get("status", "crashed")
    reason = str(answer.get("reason", ""))
    where = ""
    if not cells_done and last_cell is not None:
        where = f" while running cell {last_cell}"
    elif cells_done and len(probes) < len(ALL_CHECKS):
        where = " while the hidden checks ran"
    if status_raw == "completed" and not finished:
        status_raw, reason = "crashed", "ended the grading process early (os._exit, exit() in a subprocess, or a crash)"
    if status_raw == "completed":
        status = "graded"
    elif status_raw == "timeout":
        status = "timeout"
        reason = f"Grading stopped: the notebook {reason}{where}."
    else:
        status = "error"
        reason = f"Grading stopped: the notebook {reason}{where}." if reason else f"Grading stopped{where}."
    tests = [judge(c, probes.get(c.id), expected.get(c.id, []), redactor) for c in ALL_CHECKS]
    problem = static.resnet_block_problems(sources)
    if problem:
        tests = [
            TestResult(t.check_id, t.question, t.name, t.points, 0.0, False, problem) if t.check_id == "q3_is_custom_layer" else t
            for t in tests
        ]
    return status, reason, tests, isolation, cell_errors


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
    jobs: list[Job] = []
    pending: dict[str, tuple[Submission, Any, str]] = {}
    protect = protected_paths(settings.protect)

    def deliver(result: SubmissionResult) -> None:
        results[result.key] = result
        if on_result is not None:
            on_result(result)

    for sub in submissions:
        if sub.error or sub.data is None:
            deliver(SubmissionResult(sub.key, sub.source, sub.student, "error", sub.error or "no notebook",
                                     _failed_all(f"Not graded: {sub.error or 'no notebook'}")))
            continue
        try:
            parsed = parse_notebook(sub.data, Path(sub.source).name)
        except NotebookError as exc:
            deliver(SubmissionResult(sub.key, sub.source, sub.student, "error", str(exc), _failed_all(f"Not graded: {exc}")))
            continue
        digest = content_hash(sub.data, salt)
        if cache is not None and not settings.force:
            cached = cache.get(digest)
            if cached is not None:
                result = SubmissionResult.from_dict(cached)
                result.key, result.source, result.student = sub.key, sub.source, sub.student
                deliver(result)
                continue
        job_id = f"{len(jobs)}:{sub.key}"
        jobs.append(Job(job_id, {"id": job_id, "cells": parsed.cells, "limits": settings.limits.to_dict(),
                                 "protect": protect}, settings.limits.timeout_s))
        pending[job_id] = (sub, parsed, digest)

    def finish(job: Job, answer: dict[str, Any]) -> None:
        sub, parsed, digest = pending[job.id]
        sources = [c["source"] for c in parsed.cells]
        status, reason, tests, isolation, cell_errors = judge_worker_result(answer, expected, redactor, sources)
        result = SubmissionResult(
            key=sub.key, source=sub.source, student=sub.student, status=status, reason=reason, tests=tests,
            output=str(answer.get("output", "")), cell_errors=cell_errors, written=parsed.written,
            seconds=float(answer.get("seconds", 0.0)), peak_rss_mb=float(answer.get("peak_rss_mb", 0.0)),
            isolation=isolation, content_hash=digest,
        )
        if cache is not None and not answer.get("infrastructure"):
            # a dead worker is the grader's failure, not the student's: retry it next run
            cache.put(digest, result.to_dict())
        deliver(result)

    if jobs:
        with make_runner(settings.scheduler, min(settings.workers, len(jobs)), stderr=stderr) as runner:
            runner.run(jobs, finish)
    return [results[s.key] for s in submissions if s.key in results]

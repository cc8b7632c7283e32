"""When the grading core starts its workers: at the first job, before the rest of the batch is planned, and only if
some submission needs one."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ROOT

from autograder.grading import core
from autograder.grading.core import GradingSettings, grade_submissions
from autograder.grading.inputs import discover
from autograder.sandbox.protocol import WorkerAnswer
from autograder.sandbox.runner import JobRunner

EXAMPLES = [ROOT / "examples" / "full.ipynb", ROOT / "examples" / "partial.ipynb"]


class RecordingRunner(JobRunner):
    """Answers every job with a time-out (a student's outcome: it is cached) and records its life."""

    def __init__(self, log: list[str], workers: int) -> None:
        self.log, self.workers = log, workers

    def open(self) -> None:
        self.log.append(f"open {self.workers}")

    def run(self, jobs, on_result) -> None:
        self.log.append(f"run {len(jobs)}")
        for job in jobs:
            on_result(job, WorkerAnswer(status="timeout", reason="did not finish"))


@pytest.fixture
def log(monkeypatch) -> list[str]:
    events: list[str] = []
    plan, prepare = core._plan, core._prepare

    def recording_plan(*args, **kwargs):
        events.append("plan")
        return plan(*args, **kwargs)

    def recording_prepare(sub, *args, **kwargs):
        events.append(f"prepare {Path(sub.source).stem}")
        return prepare(sub, *args, **kwargs)

    monkeypatch.setattr(core, "_plan", recording_plan)
    monkeypatch.setattr(core, "_prepare", recording_prepare)
    monkeypatch.setattr(core, "make_runner", lambda scheduler, workers, **kw: RecordingRunner(events, workers))
    return events


def _grade(tmp_path: Path, notebooks: list[Path] = EXAMPLES, **settings) -> list:
    return grade_submissions(discover(notebooks), GradingSettings(workers=4, cache_dir=tmp_path / "cache", **settings))


def _without_prepares(log: list[str]) -> list[str]:
    return [event for event in log if not event.startswith("prepare")]


def test_workers_start_at_the_first_job_and_warm_up_while_the_rest_is_planned(tmp_path, log):
    results = _grade(tmp_path)
    assert log == ["plan", "prepare full", "open 2", "prepare partial", "run 2"]
    assert [r.status for r in results] == ["timeout", "timeout"]


def test_a_batch_found_in_the_cache_starts_no_worker(tmp_path, log):
    _grade(tmp_path)
    log.clear()
    results = _grade(tmp_path)
    assert _without_prepares(log) == ["plan"]
    assert [r.status for r in results] == ["timeout", "timeout"]


def test_a_batch_of_unparseable_notebooks_starts_no_worker(tmp_path, log):
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": "not a list"}')
    results = _grade(tmp_path, [broken])
    assert log == ["plan", "prepare broken"]
    assert [r.status for r in results] == ["error"]
    assert "broken.ipynb" in results[0].reason


def test_an_unparseable_notebook_first_does_not_delay_the_workers_of_the_next(tmp_path, log):
    broken = tmp_path / "a_broken.ipynb"
    broken.write_text("{not json")
    results = _grade(tmp_path, [broken, *EXAMPLES])
    assert log[:4] == ["plan", "prepare a_broken", "prepare full", "open 3"]  # sized before parsing: one idle
    assert [r.status for r in results] == ["error", "timeout", "timeout"]


def test_force_starts_workers_for_the_cached_ones_too(tmp_path, log):
    _grade(tmp_path)
    log.clear()
    _grade(tmp_path, force=True)
    assert _without_prepares(log) == ["plan", "open 2", "run 2"]


def test_an_unreadable_cache_entry_is_graded_by_a_runner_started_after_planning(tmp_path, log):
    _grade(tmp_path)
    entries = sorted((tmp_path / "cache").glob("*.json"))
    entries[0].write_text("{not json")
    log.clear()
    results = _grade(tmp_path)
    assert _without_prepares(log) == ["plan", "open 1", "run 1"]
    assert [r.status for r in results] == ["timeout", "timeout"]

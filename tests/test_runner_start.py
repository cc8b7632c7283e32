"""When the grading core starts its workers: before planning the batch, and only if some submission needs one."""

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
    plan = core._plan

    def recording_plan(*args, **kwargs):
        events.append("plan")
        return plan(*args, **kwargs)

    monkeypatch.setattr(core, "_plan", recording_plan)
    monkeypatch.setattr(core, "make_runner", lambda scheduler, workers, **kw: RecordingRunner(events, workers))
    return events


def _grade(tmp_path: Path, **settings) -> list:
    return grade_submissions(discover(EXAMPLES), GradingSettings(workers=4, cache_dir=tmp_path / "cache", **settings))


def test_workers_start_before_the_batch_is_planned(tmp_path, log):
    results = _grade(tmp_path)
    assert log == ["open 2", "plan", "run 2"]
    assert [r.status for r in results] == ["timeout", "timeout"]


def test_a_batch_found_in_the_cache_starts_no_worker(tmp_path, log):
    _grade(tmp_path)
    log.clear()
    results = _grade(tmp_path)
    assert log == ["plan"]
    assert [r.status for r in results] == ["timeout", "timeout"]


def test_force_starts_workers_for_the_cached_ones_too(tmp_path, log):
    _grade(tmp_path)
    log.clear()
    _grade(tmp_path, force=True)
    assert log == ["open 2", "plan", "run 2"]


def test_an_unreadable_cache_entry_is_graded_by_a_runner_started_after_planning(tmp_path, log):
    _grade(tmp_path)
    entries = sorted((tmp_path / "cache").glob("*.json"))
    entries[0].write_text("{not json")
    log.clear()
    results = _grade(tmp_path)
    assert log == ["plan", "open 1", "run 1"]
    assert [r.status for r in results] == ["timeout", "timeout"]

"""The batch grader end to end: CLI outputs, resumption after a kill, determinism."""

from __future__ import annotations

import csv
import json
import shutil
import signal
import subprocess
import sys
import time

import pytest
from helpers import ROOT, build_submission, write_submission

from autograder.grading.core import GradingSettings, grade_submissions
from autograder.grading.inputs import discover
from autograder.sandbox.limits import SandboxLimits

pytestmark = pytest.mark.slow


def _cli(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "autograder", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


@pytest.fixture(scope="module")
def four_submissions(tmp_path_factory, solution_answers, expected_path):
    folder = tmp_path_factory.mktemp("four")
    write_submission(folder / "full.ipynb", build_submission(solution_answers))
    write_submission(folder / "stub.ipynb", build_submission({}))
    write_submission(folder / "q1_only.ipynb", build_submission({"q1": solution_answers["q1"]}))
    write_submission(folder / "q3_only.ipynb", build_submission({"q3": solution_answers["q3"]}))
    return folder


def test_cli_writes_gradebook_results_and_table(four_submissions, tmp_path):
    out = tmp_path / "out"
    proc = _cli("grade", str(four_submissions), "--out", str(out), "--workers", "2")
    stdout, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, stdout
    assert "Scores" in stdout and "full" in stdout
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert [r["submission"] for r in rows] == ["full", "q1_only", "q3_only", "stub"]
    assert list(rows[0])[:8] == ["submission", "status", "score", "max_score", "q1", "q2", "q3", "q4"]
    by = {r["submission"]: r for r in rows}
    assert by["full"]["score"] == by["full"]["max_score"]
    assert float(by["stub"]["score"]) == 0
    assert float(by["q1_only"]["q1"]) > 0 and float(by["q1_only"]["q3"]) == 0
    assert float(by["q3_only"]["q3"]) > 0 and float(by["q3_only"]["q1"]) == 0
    for key in by:
        data = json.loads((out / "results" / f"{key}.json").read_text())
        assert all(t["name"].startswith(("q1:", "q2:", "q3:", "q4:")) for t in data["tests"])


def test_rerun_after_a_kill_grades_only_what_is_missing(four_submissions, tmp_path, solution_answers):
    # the four, and one graded last that sleeps: however late the interrupt lands, one is left
    subs = tmp_path / "subs"
    shutil.copytree(four_submissions, subs)
    write_submission(subs / "zz_slow.ipynb", build_submission(solution_answers, extra_cells=["import time\ntime.sleep(10)"]))
    out = tmp_path / "out"
    proc = _cli("grade", str(subs), "--out", str(out), "--workers", "1")
    deadline = time.monotonic() + 300
    results = out / "results"
    while time.monotonic() < deadline:
        if results.exists() and len(list(results.glob("*.json"))) >= 1:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    cached = {p.name: p.stat().st_mtime_ns for p in (out / ".cache").glob("*.json")}
    assert 1 <= len(cached) < 5
    proc = _cli("grade", str(subs), "--out", str(out), "--workers", "1")
    stdout, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, stdout
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert len(rows) == 5
    after = {p.name: p.stat().st_mtime_ns for p in (out / ".cache").glob("*.json")}
    assert all(after[name] == mtime for name, mtime in cached.items()), "cached results were regraded"
    assert len(after) == 5


def test_grading_is_deterministic(four_submissions, tmp_path):
    settings = GradingSettings(limits=SandboxLimits(), workers=2)
    subs = discover([four_submissions / "full.ipynb", four_submissions / "q3_only.ipynb"])
    first = grade_submissions(subs, settings)
    second = grade_submissions(subs, settings)
    assert [[t.to_dict() for t in r.tests] for r in first] == [[t.to_dict() for t in r.tests] for r in second]


def test_a_hanging_submission_times_out_and_the_rest_is_graded(four_submissions, tmp_path, solution_answers):
    hang = write_submission(tmp_path / "hang.ipynb", build_submission(solution_answers, prepend_cells=["import time\nwhile True:\n    time.sleep(0.1)"]))
    settings = GradingSettings(limits=SandboxLimits(timeout_s=15, cell_timeout_s=60), workers=2)
    results = grade_submissions(discover([hang, four_submissions / "full.ipynb"]), settings)
    by = {r.key: r for r in results}
    assert by["hang"].status == "timeout" and "did not finish" in by["hang"].reason
    assert by["full"].score == by["full"].max_score

"""The instructor's Gradescope options, honoured by the zip (through the simulated /autograder)."""

from __future__ import annotations

import json

import nbformat
import pytest
from gradescope_sim import run_gradescope
from helpers import build_submission

from autograder.gradescope import build, container
from autograder.gradescope.options import GradescopeOptions, OptionsError
from autograder.sandbox.limits import SandboxLimits


def _previous(*scores_graded: tuple[float, bool]) -> dict:
    return {"previous_submissions": [
        {"submission_time": f"2026-11-0{n + 1}T10:00:00+00:00", "score": score,
         "results": {"score": score, "output": f"earlier feedback {n}", "tests": [],
                     "extra_data": {"graded": graded}}}
        for n, (score, graded) in enumerate(scores_graded)]}


@pytest.fixture(scope="module")
def gradescope_zip(tmp_path_factory, expected_path):
    return build.main(out=tmp_path_factory.mktemp("dist_options") / "autograder.zip")


@pytest.mark.parametrize(("keep", "kept"), [("best", 10.0), ("last", 7.0)])
def test_a_submission_past_the_limit_keeps_the_configured_score(gradescope_zip, tmp_path, keep, kept):
    config = {"max_graded_submissions": 2, "keep_score": keep}
    results, proc, _ = run_gradescope(gradescope_zip, tmp_path / "autograder",
                                      [("nb.ipynb", nbformat.writes(build_submission({})).encode())],
                                      config=config, metadata=_previous((10.0, True), (0.0, False), (7.0, True)))
    assert results["score"] == kept
    assert "was not graded" in results["output"] and "grades 2 submissions" in results["output"]
    assert results["extra_data"]["graded"] is False
    assert "isolation" not in proc.stdout  # nothing ran


@pytest.mark.slow
def test_submissions_under_the_limit_are_graded(gradescope_zip, tmp_path, solution_answers):
    config = {"max_graded_submissions": 2}
    notebook = nbformat.writes(build_submission(solution_answers)).encode()
    results, _, _ = run_gradescope(gradescope_zip, tmp_path / "autograder", [("nb.ipynb", notebook)],
                                   config=config, metadata=_previous((3.0, True), (0.0, False)))
    assert results["score"] == 18 and results["extra_data"]["graded"] is True


@pytest.mark.slow
def test_case_variants_of_the_suffix_are_graded(gradescope_zip, tmp_path, solution_answers):
    notebook = nbformat.writes(build_submission(solution_answers)).encode()
    results, _, _ = run_gradescope(gradescope_zip, tmp_path / "autograder", [("Homework.IPYNB", notebook)])
    assert results["score"] == 18


@pytest.mark.parametrize(("text", "problem"), [
    ('{"feedback_before_publishing": "everything"}', "is not one of"),
    ('{"max_graded_submissions": 0}', "max_graded_submissions"),
    ('{"max_graded_submisions": 3}', "Additional properties"),
    ('{"cell_timeout_seconds": 0}', "cell_timeout_seconds"),
    ('{"notebook_timeout_seconds": 7200}', "notebook_timeout_seconds"),
    ('{"cell_timeout_seconds": "60"}', "cell_timeout_seconds"),
    ("{not json", "not readable JSON"),
])
def test_invalid_options_name_the_file_and_the_problem(tmp_path, text, problem):
    path = tmp_path / "gradescope_config.json"
    path.write_text(text)
    with pytest.raises(OptionsError, match=problem) as info:
        GradescopeOptions.load(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(("options", "cell_s", "notebook_s"), [
    ({}, SandboxLimits().cell_timeout_s, SandboxLimits().timeout_s),
    ({"cell_timeout_seconds": 10}, 10, SandboxLimits().timeout_s),
    ({"cell_timeout_seconds": None, "notebook_timeout_seconds": 420.5}, SandboxLimits().cell_timeout_s, 420.5),
])
def test_time_budgets_come_from_the_options(tmp_path, options, cell_s, notebook_s):
    path = tmp_path / "gradescope_config.json"
    path.write_text(json.dumps(options))
    limits = container.Resources(memory_mb=768, cpus=0.5).limits(GradescopeOptions.load(path).base_limits())
    assert (limits.cell_timeout_s, limits.timeout_s) == (cell_s, notebook_s)
    assert (limits.memory_mb, limits.threads) == (368, 1)  # the container still decides memory and threads


@pytest.mark.parametrize(("memory_mb", "cpus", "submission_mb", "threads"), [
    (768, 0.5, 368, 1),      # Gradescope's defaults
    (2048, 2.0, 1648, 2),
    (8192, 4.0, SandboxLimits().memory_mb, 4),  # never more than the local default
    (None, None, SandboxLimits().memory_mb, 0),
])
def test_limits_follow_the_container(memory_mb, cpus, submission_mb, threads):
    limits = container.Resources(memory_mb=memory_mb, cpus=cpus).limits()
    assert (limits.memory_mb, limits.threads) == (submission_mb, threads)
    assert limits.scratch_mb <= limits.memory_mb


def test_the_container_limits_are_read_from_this_process_cgroups():
    found = container.detect()
    assert found.cpus is not None and found.cpus > 0
    json.dumps(found.__dict__)

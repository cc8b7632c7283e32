"""The same attacks through the simulated Gradescope path (run_autograder from the zip)."""

from __future__ import annotations

import json

import nbformat
import pytest
from attacks import ATTACKS, SECRET_NAME, SECRET_VALUE, Attack
from attacks_isolation import CHANNEL_ATTACKS, ISOLATION_ATTACKS, LEAK
from gradescope_sim import run_gradescope
from helpers import ROOT
from shared_machine import leftover_processes

from autograder.checks import max_points
from autograder.gradescope import build
from autograder.grading.core import default_redactor

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gradescope_zip(tmp_path_factory, expected_path):
    return build.main(out=tmp_path_factory.mktemp("dist_adv") / "autograder.zip")


def _notebook(attack: Attack, solution_answers: dict[str, str], root) -> bytes:
    return nbformat.writes(attack.notebook(solution_answers, out=root / "results")).encode()


GRADESCOPE_ATTACKS = (*ATTACKS, *ISOLATION_ATTACKS, *CHANNEL_ATTACKS[:3], CHANNEL_ATTACKS[-1])
CONFIG = {**json.loads((ROOT / "gradescope_config.json").read_text()), "cell_timeout_seconds": 10}
"""The shipped options with the cell budget of the local adversarial batch (an endless cell costs 10 s, not 60)."""


@pytest.mark.parametrize("attack", GRADESCOPE_ATTACKS, ids=lambda a: a.name)
def test_attack_on_gradescope(gradescope_zip, tmp_path, solution_answers, attack, monkeypatch):
    root = tmp_path / "autograder"
    monkeypatch.setenv(SECRET_NAME, SECRET_VALUE)  # Gradescope's own environment: never the student's
    results, proc, _ = run_gradescope(gradescope_zip, root, [("submission.ipynb", _notebook(attack, solution_answers, root))],
                                      config=CONFIG)
    assert f"{CONFIG['cell_timeout_seconds']} s per cell" in proc.stdout  # the instructor's budget is the one applied
    visible = json.dumps(results)
    assert LEAK not in visible and SECRET_VALUE not in visible and SECRET_VALUE[::-1] not in visible
    ceiling = max_points() if attack.answers == "full" else 0
    assert results["score"] <= ceiling, proc.stdout[-2000:]
    assert results["stdout_visibility"] == "hidden"
    assert not default_redactor().leaks(json.dumps(results))
    assert results.get("score") != 999
    assert "SEES_OTHERS" not in proc.stdout  # the notebook's output, TA-only: no process but its own in sight
    assert leftover_processes() == []

"""The same attacks through the simulated Gradescope path (run_autograder from the zip)."""

from __future__ import annotations

import json

import nbformat
import psutil
import pytest
from attacks import ATTACKS, PORT_PLACEHOLDER, Attack
from gradescope_sim import run_gradescope
from helpers import ROOT, build_submission

from autograder.checks import max_points
from autograder.gradescope import build
from autograder.grading.core import default_redactor
from autograder.sandbox.uids import BLOCK_COUNT, BLOCK_SIZE, SANDBOX_UID_BASE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gradescope_zip(tmp_path_factory, expected_path):
    return build.main(out=tmp_path_factory.mktemp("dist_adv") / "autograder.zip")


def _notebook(attack: Attack, answers: dict[str, str], root) -> bytes:
    cell = (attack.cell.replace(PORT_PLACEHOLDER, "9").replace("__OUT__", str(root / "results"))
            .replace("__ROOT__", str(ROOT)))
    nb = build_submission(answers, extra_cells=[cell])
    return nbformat.writes(nb).encode()


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_attack_on_gradescope(gradescope_zip, tmp_path, solution_answers, attack):
    answers = solution_answers if attack.answers == "full" else {}
    root = tmp_path / "autograder"
    results, proc, _ = run_gradescope(gradescope_zip, root, [("submission.ipynb", _notebook(attack, answers, root))])
    ceiling = max_points() if attack.answers == "full" else 0
    assert results["score"] <= ceiling, proc.stdout[-2000:]
    assert results["stdout_visibility"] == "hidden"
    assert not default_redactor().leaks(json.dumps(results))
    assert results.get("score") != 999
    leftovers = [p.pid for p in psutil.process_iter(["uids"])
                 if p.info["uids"] and SANDBOX_UID_BASE <= p.info["uids"].real < SANDBOX_UID_BASE + BLOCK_SIZE * BLOCK_COUNT]
    assert leftovers == []

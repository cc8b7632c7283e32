"""A notebook that is not this assignment's is told so, in its reason, to the TA and the student."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from helpers import build_submission, write_submission
from shared_batches import HONEST, contribute

from autograder.grading.core import NOT_THIS_ASSIGNMENT
from autograder.reporting.results_json import results_json

pytestmark = [pytest.mark.slow, HONEST]  # graded in the shared batch


@contribute("foreign")
def _foreign_notebooks(folder: Path, solution_answers: dict[str, str]) -> None:
    nbformat.write(nbformat.v4.new_notebook(), str(folder / "empty.ipynb"))
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('my other homework')")])
    nbformat.write(other, str(folder / "other_homework.ipynb"))
    untagged = build_submission(solution_answers)
    for cell in untagged.cells:
        cell.metadata.pop("tags", None)
    write_submission(folder / "untagged_but_answered.ipynb", untagged)
    write_submission(folder / "ours.ipynb", build_submission({}))


@pytest.fixture(scope="module")
def graded(honest_batch):
    return honest_batch["foreign"]


@pytest.mark.parametrize("key", ["empty", "other_homework"])
def test_a_foreign_notebook_gets_zero_and_says_why(graded, key):
    result = graded[key]
    assert result.score == 0
    assert NOT_THIS_ASSIGNMENT in result.reason
    assert NOT_THIS_ASSIGNMENT in results_json(result)["output"]


def test_answers_without_their_tags_still_earn_their_points_and_the_note(graded):
    result = graded["untagged_but_answered"]
    assert result.score == result.max_score
    assert NOT_THIS_ASSIGNMENT in result.reason


def test_the_untouched_template_is_this_assignment(graded):
    assert NOT_THIS_ASSIGNMENT not in graded["ours"].reason

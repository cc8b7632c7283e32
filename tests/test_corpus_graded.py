"""The mutation corpus graded as notebooks through the sandboxed grader students get.

Each corpus answer replaces its question's answer cell in an otherwise correct notebook.
A mutant must fail its ``must_fail`` checks and lose points on its own question only; an
alternative must score full marks.
"""

from __future__ import annotations

import pytest
from corpus import CorpusEntry, load_corpus
from helpers import build_submission, write_submission

from autograder.grading.core import GradingSettings, grade_submissions
from autograder.grading.inputs import discover

pytestmark = pytest.mark.slow
ENTRIES = load_corpus()


def _key(entry: CorpusEntry) -> str:
    return f"{entry.kind}__{entry.path.stem}"


@pytest.fixture(scope="module")
def graded(tmp_path_factory, solution_answers, expected_path):
    folder = tmp_path_factory.mktemp("corpus_notebooks")
    for entry in ENTRIES:
        answers = dict(solution_answers)
        answers[entry.question] = entry.source
        write_submission(folder / f"{_key(entry)}.ipynb", build_submission(answers))
    results = grade_submissions(discover([folder]), GradingSettings(workers=2))
    return {r.key: r for r in results}


def test_corpus_is_large_enough():
    kinds = [e.kind for e in ENTRIES]
    assert kinds.count("mutant") >= 25 and kinds.count("alternative") >= 8


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_entry_is_graded_as_designed(graded, entry):
    result = graded[_key(entry)]
    assert result.status == "graded", result.reason
    by_id = {t.check_id: t for t in result.tests}
    for question, (earned, available) in result.question_scores().items():
        if question != entry.question:
            assert earned == available, f"{entry.id} lost points on {question}: " + "; ".join(
                t.message for t in result.tests if t.question == question and not t.passed
            )
    if entry.kind == "alternative":
        assert result.score == result.max_score, [t.message for t in result.tests if not t.passed]
    else:
        failed = {cid for cid, t in by_id.items() if not t.passed}
        assert set(entry.must_fail) <= failed, f"{entry.id} passed checks it must fail: {set(entry.must_fail) - failed}"
        assert failed, f"{entry.id} lost no points"

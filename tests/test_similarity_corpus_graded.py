"""The similarity corpus's independent answers are correct: each earns full marks on its question.

The threshold of the similarity report is measured on pairs of *independently written correct*
answers (``tests/similarity_corpus``): an answer that does not work (an undefined name, the wrong
type) would make that measurement about something else. The alternatives of the mutation corpus
and the master are graded by their own tests; the answers written for the similarity corpus are
graded here, in the shared batch, a few notebooks holding one of them per question.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import build_submission, write_submission
from shared_batches import HONEST, contribute
from similarity_corpus.planting import QUESTIONS, independent_answers

from autograder.checks import max_points

pytestmark = [pytest.mark.slow, HONEST]  # graded in the shared batch

PREFIX = "independent/"


def _written_for_the_corpus() -> dict[str, list[tuple[str, str]]]:
    """Per question, (name, source) of the answers written for the similarity corpus, by name."""
    return {q: sorted((name, source) for name, source in answers.items() if name.startswith(PREFIX))
            for q, answers in independent_answers().items()}


def _mixes() -> dict[str, dict[str, str]]:
    """Notebook key -> the corpus answer it holds, per question (each answer in one notebook at least)."""
    corpus = _written_for_the_corpus()
    count = max(len(answers) for answers in corpus.values())
    return {f"mix{i}": {q: corpus[q][i % len(corpus[q])][0] for q in QUESTIONS} for i in range(count)}


@contribute("similarity_corpus")
def _corpus_notebooks(folder: Path, solution_answers: dict[str, str]) -> None:
    sources = {name: source for answers in _written_for_the_corpus().values() for name, source in answers}
    for key, names in _mixes().items():
        write_submission(folder / f"{key}.ipynb", build_submission({q: sources[name] for q, name in names.items()}))


@pytest.fixture(scope="module")
def graded(honest_batch):
    return honest_batch["similarity_corpus"]


def test_every_answer_written_for_the_corpus_is_in_a_graded_notebook():
    corpus = _written_for_the_corpus()
    held = {name for names in _mixes().values() for name in names.values()}
    assert held == {name for answers in corpus.values() for name, _ in answers}
    assert all(corpus[q] for q in QUESTIONS)


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_independent_answer_earns_full_marks(graded, question):
    lost = []
    for key, names in _mixes().items():
        result = graded[key]
        assert result.status == "graded", (key, result.reason)
        tests = [t for t in result.tests if t.question == question and t.points > 0]
        score = sum(t.score for t in tests)
        assert sum(t.points for t in tests) == max_points(question) > 0
        if score < max_points(question):
            failed = [t.name for t in tests if not t.passed]
            lost.append(f"{names[question]} in {key}: {score:g}/{max_points(question):g} ({failed})")
    assert not lost, lost

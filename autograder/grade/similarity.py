"""The batch's similar answers, written beside its grades (TA-only files; never a score).

Runs in the grader, after the batch is graded, on the notebooks' source text: nothing of a
submission is run, and no result, results.json or feedback page is touched. Without
copydetect (the ``review`` extra) the files say so, and grading goes on; so it does if the
comparison itself fails.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from autograder import similarity
from autograder.grading.inputs import Submission
from autograder.grading.results import SubmissionResult
from autograder.reporting.similarity import write_similarity
from autograder.similarity.answers import batch_answers, template_answers
from autograder.similarity.pairs import SimilarityFile

log = logging.getLogger(__name__)

MISSING = ("not computed: copydetect is not installed; install the review extra "
           "(pip install '.[review]' -c constraints.txt, which make install does) and grade again")
QUESTION = re.compile(r"q[0-9]{1,3}")
"""Without a template to say which questions there are, the answer tags that can be this assignment's."""


def write_batch_similarity(submissions: list[Submission], results: list[SubmissionResult], out: Path, *,
                           template: Path | None = None) -> SimilarityFile:
    """Compare the batch's answers and write ``similarity.json``, ``.html`` and ``.csv`` in ``out``.

    Args:
        submissions: the batch as discovered (the notebooks' bytes).
        results: their results (for the students' names only).
        out: the output folder.
        template: the student notebook (default: the checkout's).

    Returns:
        What was written (with a note instead of pairs if nothing could be computed).
    """
    students = {r.key: r.student for r in results}
    found, answers = _find(submissions, template)
    try:
        write_similarity(out, found, answers, students)
    except Exception:  # information for TAs: never a reason to lose the grades written next
        log.exception("similarity: could not write its files in %s", out)
    return found


def _find(submissions: list[Submission], template: Path | None) -> tuple[SimilarityFile, dict[str, dict[str, str]]]:
    """The similar pairs and the answers compared (or a note saying why there are none)."""
    if not similarity.available():
        log.warning("similarity: %s", MISSING)
        return SimilarityFile(note=MISSING), {}
    try:
        from autograder.similarity.compare import settings, similar_pairs

        stubs = template_answers(template)
        answers = batch_answers(submissions)
        wanted = set(stubs) or {q for by_q in answers.values() for q in by_q if QUESTION.fullmatch(q)}
        answers = {key: {q: source for q, source in by_q.items() if q in wanted} for key, by_q in answers.items()}
        return SimilarityFile(similar_pairs(answers, stubs), settings()), answers
    except Exception as exc:
        log.exception("similarity: not computed")
        return SimilarityFile(note=f"not computed: {type(exc).__name__}: {exc}"[:500]), {}

"""The answers to compare: each submission's ``answer:qN`` cells, and the template's.

Read from the notebooks' JSON only (:func:`autograder.grading.notebooks.parse_notebook`, as
grading reads them): nothing of a submission is run here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from autograder import paths
from autograder.grading.inputs import Submission
from autograder.grading.notebooks import NotebookError, parse_notebook

log = logging.getLogger(__name__)


def batch_answers(submissions: Iterable[Submission]) -> dict[str, dict[str, str]]:
    """Submission key -> question -> its answer cell's source, in batch order (unreadable ones left out)."""
    found = {}
    for submission in submissions:
        if submission.data is None:
            continue
        try:
            found[submission.key] = parse_notebook(submission.data, submission.key).answer_sources
        except NotebookError:
            continue  # its row in grades.csv already says why
    return found


def template_answers(path: Path | None = None) -> dict[str, str]:
    """The handed-out answer cells by question (empty, logged, if the template is not there).

    Args:
        path: the student notebook (default: the checkout's ``student_template/``).
    """
    path = path or paths.student_template()
    if path is None:
        log.warning("similarity: no student template here (an installed package): the template's code is "
                    "compared too")
        return {}
    return parse_notebook(path.read_bytes(), path.name).answer_sources

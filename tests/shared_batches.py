"""Honest notebooks that several test modules grade the same way, graded in one batch per run.

Every batch of the sandboxed grader starts its own warm workers, each importing TensorFlow
(seconds of CPU), and the suite used to start one batch per module for notebooks that all
need the same thing: the default limits, the default measurements, nothing hostile beside
them. Those modules now *contribute* their notebooks (:func:`contribute`, at import) and read
their results from one batch (the ``honest_batch`` fixture of the conftest): each module's
notebooks in a folder of its own, so that its results come back under the keys it chose.

Every test that reads the batch carries :data:`HONEST` (one pytest-xdist group), so that one
worker grades it, once. Run alone, a module grades only its own contribution.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from autograder.grading.core import GradingSettings, grade_submissions
from autograder.grading.inputs import discover
from autograder.grading.results import SubmissionResult

Writer = Callable[[Path, dict[str, str]], None]
"""Writes a contribution's notebooks into the folder it is given (with the master's solutions at hand)."""

CONTRIBUTIONS: dict[str, Writer] = {}
HONEST = pytest.mark.xdist_group("honest_batch")
"""The tests that read the shared batch run in one worker, which grades it once."""
SEPARATOR = "__"
"""How the grader joins a folder's name to a notebook's in a key (``corpus__mutant__q1_x``)."""


def contribute(name: str) -> Callable[[Writer], Writer]:
    """Register a module's notebooks for the shared batch, under ``name`` (a folder name)."""

    def register(writer: Writer) -> Writer:
        if name in CONTRIBUTIONS and CONTRIBUTIONS[name] is not writer:
            raise ValueError(f"two contributions to the shared batch are named {name!r}")
        CONTRIBUTIONS[name] = writer
        return writer

    return register


def grade_contributions(root: Path, solution_answers: dict[str, str]) -> dict[str, dict[str, SubmissionResult]]:
    """Write every contribution under ``root`` and grade them in one batch.

    Returns:
        Per contribution, its results by the key its notebook would have on its own.
    """
    for name, write in CONTRIBUTIONS.items():
        folder = root / name
        folder.mkdir(parents=True)
        write(folder, solution_answers)
    results = grade_submissions(discover([root]), GradingSettings(workers=2))
    by_contribution: dict[str, dict[str, SubmissionResult]] = {name: {} for name in CONTRIBUTIONS}
    for result in results:
        name, _, key = result.key.partition(SEPARATOR)
        by_contribution[name][key] = result
    return by_contribution

"""The hidden checks of the assignment, question by question (grader side only).

Each check pairs a probe from :mod:`autograder.probes` (what runs in the student's process)
with a judge from this package (what decides in the grader). ``ALL_CHECKS`` is the single
list the grader, the Otter test emitter and the reports use; its order is the probes' order.
"""

from __future__ import annotations

from autograder.checks import q1, q2, q3, q4
from autograder.checks.base import Check, Verdict
from autograder.probes import PROBE_IDS

QUESTIONS: tuple[str, ...] = ("q1", "q2", "q3", "q4")
WRITTEN_QUESTIONS: tuple[str, ...] = ("q1", "q2")
"""Questions with a written answer (``written:qN`` cells), graded by hand."""
ALL_CHECKS: tuple[Check, ...] = (*q1.CHECKS, *q2.CHECKS, *q3.CHECKS, *q4.CHECKS)
CHECKS_BY_ID: dict[str, Check] = {c.id: c for c in ALL_CHECKS}
if tuple(CHECKS_BY_ID) != PROBE_IDS:  # the sandbox runs PROBES; the grader judges ALL_CHECKS
    raise ImportError(f"autograder.probes.PROBES and ALL_CHECKS disagree: {PROBE_IDS} != {tuple(CHECKS_BY_ID)}")


def max_points(question: str | None = None) -> float:
    """Total points of one question, or of the whole assignment when ``question`` is None."""
    return float(sum(c.points for c in ALL_CHECKS if question is None or c.question == question))


__all__ = ["ALL_CHECKS", "CHECKS_BY_ID", "QUESTIONS", "WRITTEN_QUESTIONS", "Check", "Verdict", "max_points"]

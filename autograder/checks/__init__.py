"""The hidden checks of the assignment, question by question.

``ALL_CHECKS`` is the single list the grader, the Otter test emitter and the reports use.
"""

from __future__ import annotations

from autograder.checks import q1, q2, q3, q4
from autograder.checks.base import Check, Measurement, MissingNameError, Namespace, ProbeFailure, Verdict

QUESTIONS: tuple[str, ...] = ("q1", "q2", "q3", "q4")
ALL_CHECKS: tuple[Check, ...] = (*q1.CHECKS, *q2.CHECKS, *q3.CHECKS, *q4.CHECKS)
CHECKS_BY_ID: dict[str, Check] = {c.id: c for c in ALL_CHECKS}


def max_points(question: str | None = None) -> float:
    """Total points of one question, or of the whole assignment when ``question`` is None."""
    return float(sum(c.points for c in ALL_CHECKS if question is None or c.question == question))


__all__ = [
    "ALL_CHECKS",
    "CHECKS_BY_ID",
    "QUESTIONS",
    "Check",
    "Measurement",
    "MissingNameError",
    "Namespace",
    "ProbeFailure",
    "Verdict",
    "max_points",
]

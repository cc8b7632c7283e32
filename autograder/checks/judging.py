"""Trusted side of a check: turn a probe record into points and a message.

Runs in the grader process only. It receives the record the student's process sent (already
decoded and validated by ``wire``) and the reference measurements computed at build time.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from autograder.checks.base import Check, Verdict
from autograder.checks.redact import Redactor

MESSAGE_LIMIT = 1500
"""Longest message shown for one check (q3's multi-configuration messages run to ~900)."""


@dataclass(frozen=True)
class TestResult:
    """The graded outcome of one check for one submission."""

    check_id: str
    question: str
    name: str
    points: float
    score: float
    passed: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for caches and reports."""
        return asdict(self)


def judge(
    check: Check,
    record: dict[str, Any] | None,
    expected: list[Any],
    redactor: Redactor,
) -> TestResult:
    """Decide one check.

    Args:
        check: the check being judged.
        record: what the student's process sent for it, or ``None`` if it never arrived
            (the process died or timed out before this probe finished).
        expected: reference measurements, one per accepted variant.
        redactor: scrubs student-provided text of hidden source lines and caps its length.

    Returns:
        A ``TestResult``; the judge's own exceptions are reported as a grader error on this
        check only.
    """
    if record is None:
        verdict = Verdict(False, "This check did not run: the notebook stopped (crash, exit or time limit) before it got here.")
    elif "error" in record:
        verdict = _error_verdict(check, record["error"], redactor)
    elif "data" not in record:
        verdict = Verdict(False, "This check sent back no measurement.")
    else:
        try:
            verdict = check.judge(record["data"], expected)
        except Exception as exc:  # a malformed measurement must not crash the batch
            verdict = Verdict(False, f"Your objects produced results this check could not read ({type(exc).__name__}). Check return types and shapes.")
    score = check.points if verdict.passed else 0.0
    # judges quote student exception text inside their messages: scrub those too
    message = redactor.clean(verdict.message, limit=MESSAGE_LIMIT) if verdict.message else ("Passed." if verdict.passed else "Failed.")
    return TestResult(check.id, check.question, check.name, check.points, score, verdict.passed, message)


def apply_source_rule(check: Check, result: TestResult, sources: list[str]) -> TestResult:
    """``result``, failed with the rule's message when ``check``'s source rule finds a problem."""
    if check.source_rule is None:
        return result
    problem = check.source_rule(sources)
    if problem is None:
        return result
    return TestResult(check.id, check.question, check.name, check.points, 0.0, False, problem)


def _error_verdict(check: Check, error: Any, redactor: Redactor) -> Verdict:
    if not isinstance(error, dict):
        return Verdict(False, "This check failed with an unreadable error.")
    kind = str(error.get("type", "Error"))
    text = redactor.clean(str(error.get("message", "")))
    missing = error.get("missing")
    if missing:
        name = redactor.clean(str(missing))
        return Verdict(False, f"`{name}` is not defined when the notebook has run. Define it in the {check.question} answer cell (check the spelling), and make sure that cell runs without error.")
    if kind == "Timeout":
        return Verdict(False, f"Your code for {check.question} did not finish in time ({text}). Look for an infinite loop or very large computation.")
    if kind == "ProbeFailure":
        return Verdict(False, text)
    return Verdict(False, f"Calling your {check.question} code raised {kind}: {text}")

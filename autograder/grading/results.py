"""What a graded submission is: status, scores, per-test results and diagnostics."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from autograder.checks.judging import TestResult

STATUSES = ("graded", "error", "timeout")


@dataclass
class SubmissionResult:
    """The outcome of grading one submission.

    Attributes:
        key: file-name-safe id (names its results.json / feedback page).
        source: where the submission came from.
        student: name/email when known.
        status: ``graded``, ``error`` (unreadable, crashed, exited, out of memory) or
            ``timeout``; partial scores earned before a crash or time-out are kept.
        reason: why the status is not ``graded`` (or notes), for TA and student.
        tests: one result per hidden check.
        output: the notebook's stdout/stderr, truncated (TA-only on Gradescope).
        cell_errors: cells that raised: ``{"index", "type", "message"}``.
        written: written answers by question, for manual grading.
        seconds: wall-clock grading time.
        peak_rss_mb: peak resident memory of the submission's process tree.
        isolation: which protections were in force (``privileges_dropped`` ...).
        content_hash: hash of the notebook bytes and grading configuration.
    """

    key: str
    source: str
    student: str = ""
    status: str = "graded"
    reason: str = ""
    tests: list[TestResult] = field(default_factory=list)
    output: str = ""
    cell_errors: list[dict[str, Any]] = field(default_factory=list)
    written: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    isolation: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""

    @property
    def score(self) -> float:
        """Points earned over all checks."""
        return round(sum(t.score for t in self.tests), 4)

    @property
    def max_score(self) -> float:
        """Points available over all checks."""
        return round(sum(t.points for t in self.tests), 4)

    def question_scores(self) -> dict[str, tuple[float, float]]:
        """``{"q1": (earned, available), ...}`` in question order."""
        out: dict[str, tuple[float, float]] = {}
        for t in self.tests:
            earned, avail = out.get(t.question, (0.0, 0.0))
            out[t.question] = (round(earned + t.score, 4), round(avail + t.points, 4))
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for the cache and reports)."""
        data = asdict(self)
        data["score"] = self.score
        data["max_score"] = self.max_score
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubmissionResult:
        """Inverse of :meth:`to_dict`."""
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["tests"] = [TestResult(**t) for t in data.get("tests", [])]
        return cls(**fields)

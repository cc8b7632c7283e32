"""Class-level statistics over a batch of results (what the class report shows and plots)."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass

from autograder.grading.results import STATUSES, SubmissionResult


@dataclass(frozen=True)
class TestStat:
    """How the class did on one hidden test."""

    name: str
    question: str
    points: float
    passed: int
    total: int

    @property
    def pass_rate(self) -> float:
        """Fraction of the submissions that ran this test and passed it (0 when none ran it)."""
        return self.passed / self.total if self.total else 0.0


@dataclass(frozen=True)
class ScoreStat:
    """The distribution of one score (a question's or the total) over the class."""

    label: str
    points: float
    scores: tuple[float, ...]

    @property
    def mean(self) -> float:
        """Mean points earned (0 for an empty class)."""
        return statistics.fmean(self.scores) if self.scores else 0.0

    @property
    def median(self) -> float:
        """Median points earned."""
        return statistics.median(self.scores) if self.scores else 0.0

    @property
    def low(self) -> float:
        """Lowest score."""
        return min(self.scores, default=0.0)

    @property
    def high(self) -> float:
        """Highest score."""
        return max(self.scores, default=0.0)

    @property
    def mean_percent(self) -> float:
        """Mean score as a percentage of the points available."""
        return 100.0 * self.mean / self.points if self.points else 0.0


@dataclass(frozen=True)
class ClassSummary:
    """Everything the class report shows besides the per-submission table."""

    count: int
    status_counts: dict[str, int]
    total: ScoreStat
    questions: list[ScoreStat]
    tests: list[TestStat]
    mean_seconds: float
    slowest: list[SubmissionResult]

    @property
    def max_score(self) -> float:
        """The assignment's total points."""
        return self.total.points


def question_order(question: str) -> tuple[int, str]:
    """Sort key putting ``q2`` before ``q10``."""
    match = re.fullmatch(r"[A-Za-z]*(\d+)", question)
    return (int(match.group(1)) if match else 1 << 30, question)


def questions_of(results: list[SubmissionResult]) -> list[str]:
    """The questions any result has tests for, in natural order."""
    return sorted({t.question for r in results for t in r.tests}, key=question_order)


def summarize(results: list[SubmissionResult], *, slowest: int = 10) -> ClassSummary:
    """Compute the class statistics.

    Args:
        results: one per submission (any status; partial scores count).
        slowest: how many of the slowest submissions to keep.

    Returns:
        The summary; scores are 0 and lists empty when ``results`` is empty.
    """
    counts = Counter(r.status for r in results)
    status_counts = {s: counts.get(s, 0) for s in STATUSES}
    status_counts.update({s: n for s, n in counts.items() if s not in status_counts})

    meta: dict[str, tuple[str, float]] = {}
    ran: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    per_question = [r.question_scores() for r in results]
    for r in results:
        for t in r.tests:
            meta.setdefault(t.name, (t.question, t.points))
            ran[t.name] += 1
            passed[t.name] += int(t.passed)
    tests = [TestStat(name, q, float(p), passed[name], ran[name]) for name, (q, p) in meta.items()]
    tests.sort(key=lambda s: question_order(s.question))  # stable: keeps test order within a question

    questions = []
    for q in questions_of(results):
        scores = tuple(qs.get(q, (0.0, 0.0))[0] for qs in per_question)
        points = max(qs.get(q, (0.0, 0.0))[1] for qs in per_question)
        questions.append(ScoreStat(q, points, scores))

    return ClassSummary(
        count=len(results),
        status_counts=status_counts,
        total=ScoreStat("total", max((r.max_score for r in results), default=0.0), tuple(r.score for r in results)),
        questions=questions,
        tests=tests,
        mean_seconds=statistics.fmean(r.seconds for r in results) if results else 0.0,
        slowest=sorted(results, key=lambda r: r.seconds, reverse=True)[:slowest],
    )

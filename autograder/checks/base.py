"""The shape of a hidden check: a probe that measures and a judge that decides.

The probe (:mod:`autograder.probes`) runs inside the student's process and only measures.
The judge runs in the trusted grader process. It compares what the probe measured on the
student's namespace with what the same probe measured on the reference implementation
(computed once, at build time) and decides pass or fail with a message that teaches.
Forging a pass therefore requires producing the reference's measurements on hidden
inputs, that is, a correct solution.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from autograder.checks.source_rules import SourceRule
from autograder.probes.base import Measurement, Probe


@dataclass(frozen=True)
class Verdict:
    """A judge's decision on one check.

    Attributes:
        passed: whether the check earns its points.
        message: what was checked and what to look at; never hidden inputs or expected arrays.
    """

    passed: bool
    message: str = ""


Judge = Callable[[Measurement, list[Measurement]], Verdict]


@dataclass(frozen=True)
class Check:
    """One hidden test: identity, points, and its probe/judge pair.

    Attributes:
        id: stable identifier, ``"q3_output_shapes"``; also the Otter test function suffix.
        question: the question it belongs to, ``"q3"``.
        title: a short student-facing description, shown as ``"q3: <title>"``.
        points: points earned when the judge passes it.
        probe: measures the student's objects (runs in the untrusted process).
        judge: compares the measurement with the reference measurements (trusted process).
            It receives one reference measurement per accepted reference variant and passes
            when the student's measurement matches any of them.
        source_rule: a rule read off the notebook's source in the grader
            (:mod:`autograder.checks.source_rules`); the check fails with its message when it
            finds a problem, whatever the probe measured.
    """

    id: str
    question: str
    title: str
    points: float
    probe: Probe
    judge: Judge
    source_rule: SourceRule | None = None

    @property
    def name(self) -> str:
        """The test name shown to students and in results.json: ``"q3: <title>"``."""
        return f"{self.question}: {self.title}"

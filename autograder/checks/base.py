"""The shape of a hidden check: a probe that measures and a judge that decides.

A probe runs inside the student's process, next to code we do not trust. It only
*measures*: it calls the student's objects on hidden inputs and returns plain data
(numbers, strings, lists, NumPy arrays). A judge runs in the trusted grader process. It
compares what the probe measured on the student's namespace with what the same probe
measured on the reference implementation (computed once, at build time) and decides
pass or fail with a message that teaches. Forging a pass therefore requires producing the
reference's measurements on hidden inputs, that is, a correct solution.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Namespace = Mapping[str, Any]
"""The globals of an executed notebook (student) or the reference namespace."""

Measurement = dict[str, Any]
"""What a probe returns: JSON-compatible data, NumPy arrays allowed (see ``wire``)."""


class MissingNameError(LookupError):
    """Raised by a probe when the notebook does not define a name the question needs."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class ProbeFailure(Exception):
    """Raised by a probe to report a measured failure with a student-facing message.

    Use it when a measurement cannot go on (e.g. a call returned ``None``) and the probe can
    say why better than the raw exception would.
    """


@dataclass(frozen=True)
class Verdict:
    """A judge's decision on one check.

    Attributes:
        passed: whether the check earns its points.
        message: what was checked and what to look at; never hidden inputs or expected arrays.
    """

    passed: bool
    message: str = ""


Probe = Callable[[Namespace], Measurement]
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
    """

    id: str
    question: str
    title: str
    points: float
    probe: Probe
    judge: Judge

    @property
    def name(self) -> str:
        """The test name shown to students and in results.json: ``"q3: <title>"``."""
        return f"{self.question}: {self.title}"


def require(namespace: Namespace, name: str) -> Any:
    """Fetch ``name`` from a notebook namespace or raise ``MissingNameError``.

    A stub left as ``...`` (Ellipsis) or a function that returns ``None`` is handled by the
    probes themselves; this only covers names that were never defined.
    """
    if name not in namespace:
        raise MissingNameError(name)
    return namespace[name]

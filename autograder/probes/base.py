"""The vocabulary of probes: what they read (a namespace) and what they return (a measurement).

A probe runs inside the student's process, next to code we do not trust. It only
*measures*: it calls the student's objects on hidden inputs and returns plain data
(numbers, strings, lists, NumPy arrays). Nothing in :mod:`autograder.probes` holds an
expected value, a tolerance or a judge's message: those live in :mod:`autograder.checks`,
which the student's process never imports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Namespace = Mapping[str, Any]
"""The globals of an executed notebook (student) or the reference namespace."""

Measurement = dict[str, Any]
"""What a probe returns: JSON-compatible data, NumPy arrays allowed (see ``autograder.wire``)."""

Probe = Callable[[Namespace], Measurement]


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


def require(namespace: Namespace, name: str) -> Any:
    """Fetch ``name`` from a notebook namespace or raise ``MissingNameError``.

    A stub left as ``...`` (Ellipsis) or a function that returns ``None`` is handled by the
    probes themselves; this only covers names that were never defined.
    """
    if name not in namespace:
        raise MissingNameError(name)
    return namespace[name]

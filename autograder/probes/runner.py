"""Run probes inside the student's process, one check at a time, each under a time budget.

Every probe's outcome becomes one plain record, so a probe that raises, hangs past its
budget or is missing a name costs only its own check. This module runs in the untrusted
process: it must not hold expected values or anything else worth stealing.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from autograder.budget import time_budget
from autograder.probes.base import MissingNameError, Namespace, Probe, ProbeFailure


class ProbeTimeout(BaseException):
    """Raised by the alarm when a probe runs past its budget.

    A ``BaseException`` so that a student's ``except Exception`` does not swallow it.
    """


def run_probe(check_id: str, probe: Probe, namespace: Namespace, *, budget_s: float = 30.0) -> dict[str, Any]:
    """Run one probe and return its record (never raises for student errors).

    Args:
        check_id: the check the probe belongs to (names the record).
        probe: the probe to run.
        namespace: the executed notebook's globals.
        budget_s: wall-clock budget for this probe; 0 disables the alarm.

    Returns:
        ``{"id", "seconds", "data"}`` on success or ``{"id", "seconds", "error"}`` where error
        holds ``type``, ``message`` and, for undefined names, ``missing``.
    """
    start = time.monotonic()
    try:
        with time_budget(budget_s, ProbeTimeout):
            data = probe(namespace)
        record: dict[str, Any] = {"id": check_id, "data": data}
    except ProbeTimeout:
        record = {"id": check_id, "error": {"type": "Timeout", "message": f"took longer than {budget_s:g} s"}}
    except MissingNameError as exc:
        record = {"id": check_id, "error": {"type": "NameError", "message": f"name '{exc.name}' is not defined", "missing": exc.name}}
    except ProbeFailure as exc:
        record = {"id": check_id, "error": {"type": "ProbeFailure", "message": str(exc)}}
    except BaseException as exc:  # student code may raise anything, SystemExit included
        record = {"id": check_id, "error": {"type": type(exc).__name__, "message": _short(exc)}}
    record["seconds"] = round(time.monotonic() - start, 4)
    return record


def run_probes(
    probes: Iterable[tuple[str, Probe]],
    namespace: Namespace,
    emit: Callable[[dict[str, Any]], None],
    *,
    budget_s: float = 30.0,
) -> None:
    """Run every probe in order, handing each record to ``emit`` as soon as it exists.

    Emitting one by one means that if the process dies in check *k*, checks before *k*
    are already safe with the grader.
    """
    for check_id, probe in probes:
        emit(run_probe(check_id, probe, namespace, budget_s=budget_s))


def _short(exc: BaseException, limit: int = 500) -> str:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    # keep only the message part after "Type: "
    prefix = f"{type(exc).__name__}: "
    if text.startswith(prefix):
        text = text[len(prefix):]
    return text[:limit]

"""Hidden checks for Otter: ``run_check(check_id, env)``, called by the master's hidden test cells.

Shipped only inside ``dist/otter_autograder.zip`` (built by ``autograder.gradescope.otter_compat``),
as a top-level module next to the ``autograder.checks`` package and the reference measurements
(``otter_hidden_expected.json``). Otter copies those files into the submission folder, which its
kernel puts on ``sys.path``, so the hidden test cells' ``from otter_hidden_checks import run_check``
works at grading time.

Each call does what our grader does for one check: run the probe on the student's namespace,
pass the measurement through the same plain-data wire format, judge it against the reference
measurements and apply the same source rule for q3. A failing check raises ``AssertionError``
with the judge's message, which Otter shows as the test's output.

Otter runs tests inside the student's kernel, so this path is for compatibility (``otter run``,
Otter's Gradescope image), not for resisting a determined student: ``dist/autograder.zip`` is.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from autograder import paths, wire
from autograder.checks import CHECKS_BY_ID
from autograder.checks.expected import load_expected
from autograder.checks.judging import TestResult, apply_source_rule, judge
from autograder.checks.redact import Redactor
from autograder.probes.runner import run_probe
from autograder.sandbox.limits import SandboxLimits

EXPECTED_NAME = "otter_hidden_expected.json"
"""The reference measurements, next to this module in Otter's zip."""
"""The check whose verdict the notebook's source can overrule (as in the grader's core)."""


@functools.cache
def _expected() -> dict[str, list[Any]]:
    path = Path(__file__).resolve().with_name(EXPECTED_NAME)
    if not path.exists():  # imported from the repository rather than from Otter's zip
        path = paths.default_expected()
    # Otter's zip ships the checks without the reference, so the fingerprint cannot be
    # recomputed there; the build verified it before packing.
    return load_expected(path, check_fingerprint=False)


@functools.cache
def _redactor() -> Redactor:
    import autograder.checks

    return Redactor.for_paths([Path(autograder.checks.__file__).resolve().parent])


def measure(check_id: str, env: Mapping[str, Any]) -> dict[str, Any] | None:
    """Run one probe on ``env`` and return its record as the grader would receive it.

    The record goes through ``wire`` both ways, exactly like the sandbox child's records: a
    measurement that is not plain data becomes a ``WireError``, and one the grader would reject
    is ``None`` (the check did not run).
    """
    check = CHECKS_BY_ID[check_id]
    main_thread = threading.current_thread() is threading.main_thread()
    budget = SandboxLimits().probe_timeout_s if main_thread else 0  # SIGALRM needs the main thread
    record = {"kind": "probe", **run_probe(check.id, check.probe, env, budget_s=budget)}
    try:
        line = wire.dumps_line(record)
    except Exception as exc:  # the same fallback as the sandbox child's
        line = wire.dumps_line({"kind": "probe", "id": check_id, "error": {"type": "WireError", "message": str(exc)[:300]}})
    try:
        return wire.loads_line(line)
    except wire.WireError:
        return None


def notebook_sources(env: Mapping[str, Any]) -> list[str]:
    """The cells the kernel has run so far (IPython's ``In``), for the q3 source rule."""
    history = env.get("In")
    if not isinstance(history, list):
        return []
    return [s for s in history if isinstance(s, str)]


def evaluate(check_id: str, env: Mapping[str, Any]) -> TestResult:
    """Measure and judge one check on ``env``.

    Raises:
        KeyError: if ``check_id`` is not a check (a master notebook out of date with the checks).
    """
    if check_id not in CHECKS_BY_ID:
        raise KeyError(f"unknown hidden check {check_id!r}: rebuild the Otter autograder from the current master")
    check = CHECKS_BY_ID[check_id]
    result = judge(check, measure(check_id, env), _expected().get(check_id, []), _redactor())
    return apply_source_rule(check, result, notebook_sources(env))


def run_check(check_id: str, env: Mapping[str, Any]) -> None:
    """Otter's hidden test body: pass silently, or raise ``AssertionError`` with the judge's message.

    Args:
        check_id: the check's id (``"q3_numerics_inference"``).
        env: the student's global namespace, as Otter passes it to a test's ``env`` parameter.
    """
    result = evaluate(check_id, env)
    if not result.passed:
        raise AssertionError(f"{result.name}: {result.message}")

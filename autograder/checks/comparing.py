"""Helpers for judges: tolerant comparisons and per-configuration verdicts (grader only)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.checks.base import Verdict
from autograder.probes.base import Measurement


def allclose(got: Any, want: Any, *, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    """Same shape and close values; never raises on malformed data.

    ``atol`` is scaled by the size of the expected values, so large outputs are compared
    relatively.
    """
    try:
        a = np.asarray(got, dtype=np.float64)
        b = np.asarray(want, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if a.shape != b.shape:
        return False
    if a.size == 0:
        return True
    if not np.all(np.isfinite(a)):
        return False
    scale = max(1.0, float(np.max(np.abs(b))))
    return bool(np.allclose(a, b, rtol=rtol, atol=atol * scale))


def config_list(measurement: Any, key: str = "configs") -> list[dict[str, Any]] | None:
    """The per-configuration list of a measurement, or ``None`` if it is malformed."""
    if not isinstance(measurement, dict):
        return None
    configs = measurement.get(key)
    if not isinstance(configs, list) or not all(isinstance(c, dict) for c in configs):
        return None
    return configs


Compare = Callable[[dict[str, Any], dict[str, Any]], str | None]


def judge_configs(
    measured: Measurement,
    expected_list: list[Measurement],
    compare: Compare,
    *,
    passed: str,
    key: str = "configs",
    error_hint: Callable[[str, dict[str, Any]], str] | None = None,
) -> Verdict:
    """Pass when every configuration matches one reference variant; else explain the first miss.

    Args:
        measured: the student's measurement, ``{key: [config, ...]}``.
        expected_list: one reference measurement per accepted variant.
        compare: ``compare(got, want) -> problem or None`` for one successful configuration;
            ``want["label"]`` names the configuration in public terms.
        passed: the message when the check passes.
        key: the list's key in the measurements.
        error_hint: ``error_hint(error_text, want) -> advice`` appended when a configuration
            raised.
    """
    got_configs = config_list(measured, key)
    if got_configs is None:
        return Verdict(
            False, "This check could not read the measurement of your code; check what your functions return."
        )
    best: list[tuple[str, str]] | None = None
    for expected in expected_list:
        want_configs = config_list(expected, key)
        if want_configs is None:
            continue
        if len(got_configs) != len(want_configs):
            problems = [("Your code", "its measurement is incomplete.")]
        else:
            problems = []
            for got, want in zip(got_configs, want_configs, strict=True):
                problem = _config_problem(got, want, compare, error_hint)
                if problem:
                    problems.append(problem)
        if not problems:
            return Verdict(True, passed)
        if best is None or len(problems) < len(best):
            best = problems
    if best is None:
        return Verdict(False, "This check has no reference measurement; tell your instructor.")
    return Verdict(False, summarize(best))


def _config_problem(
    got: dict[str, Any],
    want: dict[str, Any],
    compare: Compare,
    error_hint: Callable[[str, dict[str, Any]], str] | None,
) -> tuple[str, str] | None:
    label = str(want.get("label", "one configuration"))
    if not got.get("ok"):
        error = str(got.get("error", "an error"))
        if got.get("problem"):
            return label, error
        hint = error_hint(error, want) if error_hint else ""
        return label, f"your code raised {error.rstrip('. ')}." + (f" {hint}" if hint else "")
    if not want.get("ok"):
        return None
    problem = compare(got, want)
    return (label, problem) if problem else None


_DIGITS = re.compile(r"\d+")


def summarize(problems: list[tuple[str, str]]) -> str:
    """The first problem in full, a second one if it says something else, and a count of the rest."""
    (label, text), rest = problems[0], problems[1:]
    out = f"{label}: {text}"
    gist = _DIGITS.sub("#", text)  # the same advice for another size is not news
    other = next(((lab, txt) for lab, txt in rest if _DIGITS.sub("#", txt) != gist), None)
    if other is not None:
        out += f" Also, {other[0]}: {other[1]}"
    more = len(rest) - (other is not None)
    if more > 0:
        out += f" ({more} more configuration{'s' if more > 1 else ''} fail{'' if more > 1 else 's'} too.)"
    return out

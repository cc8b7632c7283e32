"""Helpers shared by the question modules: seeded inputs, safe measuring, tolerant judging.

Two halves live here. The probe half (``seeded_*``, ``callable_answer``, ``not_none``,
``measure``, ``assign``) runs in the student's process and only ever produces plain data.
The judge half (``judge_configs``, ``allclose``, ``shape_text``) runs in the grader and
compares a student's measurement with the reference measurements. Nothing here holds an
expected value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from autograder.checks.base import Measurement, MissingNameError, Namespace, ProbeFailure, Verdict, require

ERROR_LIMIT = 240
"""Characters kept of a student exception's message in a measurement."""


class ProbeConfigError(Exception):
    """A probe's own student-facing explanation of why one configuration could not be measured."""


# --------------------------------------------------------------------------- probe side


def seeded_uniform(seed: int, shape: Sequence[int], low: float = -1.0, high: float = 1.0) -> np.ndarray:
    """Float32 values drawn uniformly from ``[low, high)`` with a fixed seed (many decimals)."""
    return np.random.default_rng(seed).uniform(low, high, size=tuple(shape)).astype(np.float32)


def seeded_normal(seed: int, shape: Sequence[int], scale: float = 1.0) -> np.ndarray:
    """Float32 normal values with standard deviation ``scale`` and a fixed seed."""
    return (np.random.default_rng(seed).standard_normal(size=tuple(shape)) * scale).astype(np.float32)


def seeded_integers(seed: int, shape: Sequence[int], high: int) -> np.ndarray:
    """Int64 values in ``[0, high)`` with a fixed seed."""
    return np.random.default_rng(seed).integers(0, high, size=tuple(shape)).astype(np.int64)


def callable_answer(namespace: Namespace, name: str) -> Any:
    """The student's object called ``name``, checked to be more than the ``...`` stub.

    Raises:
        MissingNameError: if the notebook never defines it.
        ProbeFailure: if it is still ``...`` or not callable.
    """
    value = require(namespace, name)
    if value is Ellipsis:
        raise ProbeFailure(f"`{name}` is still `...`: replace the stub with your answer and run the cell.")
    if not callable(value):
        raise ProbeFailure(
            f"`{name}` is a {type(value).__name__}, not a function or class: define it with `def` or `class`."
        )
    return value


def not_none(value: Any, what: str) -> Any:
    """Return ``value``, or raise a teaching ``ProbeFailure`` when it is ``None`` (an untouched stub)."""
    if value is None:
        raise ProbeFailure(
            f"{what} returned None: it is still the stub `...`, or a `return` is missing on some path. "
            "Finish the answer cell and run it again."
        )
    return value


_KERAS_WRAPPER = "Exception encountered when calling"
_KERAS_ARGUMENTS = "Arguments received by"
_TF_FUNCTION_NODE = re.compile(r"\{\{function_node [^}]*\}\}\s*")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def error_text(exc: BaseException) -> str:
    """``"TypeError: first line of the message"``, capped, for a measurement.

    Keras wraps errors raised inside ``call`` in "Exception encountered when calling ...",
    followed by the original message and the call's arguments; the original message is kept.
    """
    first = ""
    for line in str(exc).strip().splitlines():
        line = _TF_FUNCTION_NODE.sub("", _ANSI.sub("", line)).strip()
        if line.startswith(_KERAS_ARGUMENTS):
            break
        if line and not line.startswith(_KERAS_WRAPPER):
            first = line
            break
    first = first.removesuffix("name:").strip()
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return text[:ERROR_LIMIT]


def measure(label: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Measure one configuration; its exception becomes data instead of ending the probe.

    ``ProbeFailure`` (the stub) and ``MissingNameError`` still end the probe: the whole answer
    is missing.

    Returns:
        ``{"label", "ok": True, **fn()}`` or ``{"label", "ok": False, "error": text}``;
        ``problem`` is true when the error is the probe's own explanation (``ProbeConfigError``).
    """
    try:
        return {"label": label, "ok": True, **fn()}
    except (ProbeFailure, MissingNameError):
        raise
    except ProbeConfigError as exc:
        return {"label": label, "ok": False, "error": str(exc)[: ERROR_LIMIT * 2], "problem": True}
    except Exception as exc:  # student code may raise anything
        return {"label": label, "ok": False, "error": error_text(exc)}


def to_float32(value: Any, what: str) -> np.ndarray:
    """A student's result as a float32 array (``ProbeFailure`` for ``None``)."""
    not_none(value, what)
    arr = np.asarray(value)
    if arr.dtype == object:
        raise ProbeConfigError(f"{what} returned a {type(value).__name__} that is not an array of numbers.")
    return arr.astype(np.float32)


def to_scalar(value: Any, what: str) -> float:
    """A student's result as one Python float (``ProbeFailure`` for ``None``)."""
    arr = to_float32(value, what)
    if arr.size != 1:
        raise ProbeConfigError(f"{what} returned an array of shape {tuple(arr.shape)}, not one number.")
    return float(arr.reshape(()))


def numpy_dtype(dtype: Any) -> np.dtype:
    """A variable's dtype (``"float32"``, ``tf.float64``) as a NumPy dtype."""
    return np.dtype(getattr(dtype, "as_numpy_dtype", dtype))


def assign(variable: Any, value: np.ndarray) -> None:
    """Assign ``value`` to a Keras or TensorFlow variable, in the variable's own dtype."""
    variable.assign(np.asarray(value, dtype=numpy_dtype(variable.dtype)))


def shape_of(value: Any) -> list[int]:
    """Static shape of an array, tensor or variable as a list of ints."""
    return [int(d) for d in tuple(value.shape)]


def sorted_shapes(variables: Iterable[Any]) -> list[list[int]]:
    """Shapes of variables, sorted so that creation order does not matter."""
    return sorted(shape_of(v) for v in variables)


# --------------------------------------------------------------------------- judge side


def shape_text(shape: Any) -> str:
    """``(2, 5, 5, 3)`` from a list of ints."""
    dims = list(shape) if isinstance(shape, (list, tuple)) else [shape]
    return "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


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

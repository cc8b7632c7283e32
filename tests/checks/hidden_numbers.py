"""How a hidden input or an expected number would show in a message, to search messages for it."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from autograder.probes import q1, q2, q3, q4

DECIMAL = re.compile(r"\d*\.\d+(?:e[-+]?\d+)?|\d+(?:\.\d+)?e[-+]?\d+")
"""A non-integer number as a message would print it."""


def floats(value: Any) -> list[float]:
    """Every non-integer number inside a measurement or array structure."""
    if isinstance(value, dict):
        return [f for v in value.values() for f in floats(v)]
    if isinstance(value, (list, tuple)):
        return [f for v in value for f in floats(v)]
    if isinstance(value, np.ndarray):
        return [float(v) for v in value.ravel()] if value.dtype.kind == "f" else []
    if isinstance(value, float):
        return [value]
    return []


def renderings(values: list[float]) -> set[str]:
    """How a hidden value would show in a message: 3 and 4 significant digits, no sign."""
    return {format(abs(v), spec) for v in values if np.isfinite(v) and not float(v).is_integer()
            for spec in (".3g", ".4g")}


def hidden_arrays() -> list[Any]:
    """Every probe's hidden inputs."""
    return [a for module in (q1, q2, q3, q4) for arrays in module.hidden_arrays().values() for a in arrays]


def hidden_renderings(expected: dict[str, list[Any]]) -> set[str]:
    """The renderings of every hidden input and every expected measurement."""
    return renderings(floats(hidden_arrays())) | renderings(floats(expected))

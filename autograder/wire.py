"""Plain data across the trust boundary: JSON in, validated and size-capped.

Probe measurements travel from the student's process to the grader as one JSON object per
line. NumPy arrays are encoded as base64 of their raw bytes with an explicit dtype from a
short allow-list, so decoding never executes code (no pickle) and never allocates more
than the caps below.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np

from autograder.text import valid_unicode

ARRAY_KEY = "__ndarray__"
ALLOWED_DTYPES = ("float32", "float64", "int32", "int64", "bool", "uint8")
MAX_ARRAY_ELEMENTS = 1_000_000
MAX_LINE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 32
MAX_STRING = 20_000


class WireError(ValueError):
    """The data that came across the boundary is malformed or too large."""


def encode(value: Any) -> Any:
    """Turn a measurement into JSON-compatible data (arrays become tagged dicts).

    Args:
        value: nested dicts/lists/tuples of str, int, float, bool, None and NumPy arrays
            or NumPy scalars. Anything with ``.numpy()`` (a tensor) is converted first.

    Returns:
        The same structure with only JSON types.

    Raises:
        WireError: for types that are not plain data.
    """
    if hasattr(value, "numpy") and callable(value.numpy):
        value = np.asarray(value.numpy())
    if isinstance(value, np.ndarray):
        if value.dtype.name not in ALLOWED_DTYPES:
            value = value.astype(np.float64)
        arr = np.ascontiguousarray(value)
        return {
            ARRAY_KEY: {
                "dtype": arr.dtype.name,
                "shape": list(arr.shape),
                "data": base64.b64encode(arr.tobytes()).decode("ascii"),
            }
        }
    if isinstance(value, np.generic):
        return encode(value.item())
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"__float__": repr(value)}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    raise WireError(f"cannot send a {type(value).__name__} across the boundary")


def decode(value: Any, _depth: int = 0) -> Any:
    """Inverse of :func:`encode`, validating every array header and size.

    Raises:
        WireError: on unknown dtypes, inconsistent shapes, oversize data or deep nesting.
    """
    if _depth > MAX_DEPTH:
        raise WireError("measurement nested too deeply")
    if isinstance(value, dict):
        if ARRAY_KEY in value:
            return _decode_array(value[ARRAY_KEY])
        if set(value) == {"__float__"}:
            text = value["__float__"]
            if text not in ("nan", "inf", "-inf"):
                raise WireError(f"bad float literal {text!r}")
            return float(text)
        return {valid_unicode(str(k))[:MAX_STRING]: decode(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v, _depth + 1) for v in value]
    if isinstance(value, str):
        value = valid_unicode(value)
        return value[:MAX_STRING] + " …[truncated]" if len(value) > MAX_STRING else value
    if value is None or isinstance(value, (bool, int, float)):
        return value
    raise WireError(f"unexpected {type(value).__name__} in measurement")


def _decode_array(header: Any) -> np.ndarray:
    if not isinstance(header, dict):
        raise WireError("array header is not an object")
    dtype = header.get("dtype")
    shape = header.get("shape")
    data = header.get("data")
    if dtype not in ALLOWED_DTYPES:
        raise WireError(f"array dtype {dtype!r} is not allowed")
    if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise WireError("array shape is not a list of non-negative ints")
    count = math.prod(shape)
    if count > MAX_ARRAY_ELEMENTS:
        raise WireError(f"array of {count} elements exceeds the cap")
    if not isinstance(data, str):
        raise WireError("array data is not a string")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise WireError("array data is not base64") from None
    if len(raw) != count * np.dtype(dtype).itemsize:
        raise WireError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def dumps_line(record: dict[str, Any]) -> str:
    """One record as a single JSON line (arrays encoded)."""
    return json.dumps(encode(record), separators=(",", ":"), allow_nan=False) + "\n"


def loads_raw(line: str | bytes) -> dict[str, Any]:
    """Parse one JSON line into an object without decoding arrays (for schema checks first).

    Raises:
        WireError: if the line is too long, not JSON (deep nesting and huge numbers included),
            or not an object.
    """
    if len(line) > MAX_LINE_BYTES:
        raise WireError("measurement line too long")
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, huge ints, deep nesting
        raise WireError(f"measurement line is not JSON: {type(exc).__name__}") from None
    if not isinstance(obj, dict):
        raise WireError("measurement line is not an object")
    return obj


def loads_line(line: str | bytes) -> dict[str, Any]:
    """Parse and validate one JSON line produced by :func:`dumps_line` (arrays decoded).

    Raises:
        WireError: if the line is malformed (see :func:`loads_raw`) or its data is.
    """
    try:
        return decode(loads_raw(line))
    except RecursionError:
        raise WireError("measurement nested too deeply") from None

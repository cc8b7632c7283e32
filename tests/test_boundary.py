"""The trust boundary: what the student's process sends is validated; what students see is scrubbed."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from autograder import wire
from autograder.checks.redact import Redactor


def _array(dtype: str, shape: list[int], data: bytes) -> str:
    header = {"dtype": dtype, "shape": shape, "data": base64.b64encode(data).decode()}
    return json.dumps({"kind": "probe", "id": "q1_x", "data": {wire.ARRAY_KEY: header}})


def test_arrays_round_trip_exactly():
    arr = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    back = wire.loads_line(wire.dumps_line({"a": arr, "f": float("nan"), "t": (1, "x")}))
    assert back["a"].dtype == np.float32 and np.array_equal(back["a"], arr)
    assert np.isnan(back["f"]) and back["t"] == [1, "x"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (_array("object", [1], b"\0" * 8), "not allowed"),
        (_array("float32", [2, 2], b"\0" * 8), "does not match"),
        (_array("float32", [10**7], b""), "exceeds the cap"),
        (_array("float32", [-1], b""), "non-negative"),
        ("{not json", "not JSON"),
        ("[1, 2, 3]", "not an object"),
        (json.dumps({"x": {"__float__": "__import__('os')"}}), "bad float literal"),
        ("[" * 5 + "]" * 5, "not an object"),
    ],
)
def test_malformed_records_are_rejected(line, problem):
    with pytest.raises(wire.WireError, match=problem):
        wire.loads_line(line)


def test_deep_nesting_is_rejected():
    deep: object = 1
    for _ in range(wire.MAX_DEPTH + 5):
        deep = {"a": deep}
    with pytest.raises(wire.WireError, match="nested too deeply"):
        wire.loads_line(json.dumps(deep))


def test_overlong_line_is_rejected():
    with pytest.raises(wire.WireError, match="too long"):
        wire.loads_line(b" " * (wire.MAX_LINE_BYTES + 1))


def test_encoding_refuses_objects():
    with pytest.raises(wire.WireError):
        wire.encode({"f": object()})


SECRET_SOURCE = "def probe(ns):\n    x = seeded_uniform(1234, (2, 5, 5, 3))\n    return {'out': block(x)}\n"


@pytest.mark.parametrize(
    "text",
    [
        "    x = seeded_uniform(1234, (2, 5, 5, 3))",
        "error: x = seeded_uniform(1234, (2, 5, 5, 3)) here",
        "Traceback\n    return {'out': block(x)}\nValueError",
    ],
)
def test_redactor_drops_protected_lines(text):
    redactor = Redactor([SECRET_SOURCE])
    assert redactor.leaks(text)
    cleaned = redactor.clean(text)
    assert not redactor.leaks(cleaned) and "[hidden line removed]" in cleaned


def test_redactor_keeps_ordinary_text_and_caps_length():
    redactor = Redactor([SECRET_SOURCE], limit=50)
    assert redactor.clean("name 'tf' is not defined") == "name 'tf' is not defined"
    assert redactor.clean("x" * 200).endswith("…[truncated]")
    assert len(redactor.clean("x" * 200)) < 70


def test_redactor_finds_a_protected_line_in_a_line_too_long_to_remember():
    from autograder.checks.redact import REMEMBERED_CHARS

    redactor = Redactor([SECRET_SOURCE])
    text = "y" * REMEMBERED_CHARS + " x = seeded_uniform(1234, (2, 5, 5, 3))"
    assert redactor.leaks(text) and redactor.leaks(text)
    assert "[hidden line removed]" in redactor.clean(text, limit=10**6)


def test_redactor_verdicts_do_not_change_when_remembered():
    redactor = Redactor([SECRET_SOURCE])
    lines = ["    return {'out': block(x)}", "an ordinary message of some length"]
    first = [redactor.leaks(line) for line in lines]
    assert first == [True, False] and [redactor.leaks(line) for line in lines] == first

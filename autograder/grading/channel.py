"""Read a submission's record stream strictly: anything out of protocol is tampering.

The runner (:mod:`autograder.sandbox.child`) writes, in this order: one ``isolation``
record (before any student code), one ``cell`` record as each cell starts (in the job's
order), one ``cells`` summary, one ``probe`` record per check in
:data:`autograder.probes.PROBE_IDS` order, and ``done``. Student code shares that process
and can write to the pipe too, so every record is checked for its kind, its place in the
sequence, its fields' types and sizes; a record that is not ASCII JSON, malformed,
duplicated, out of order or followed by anything makes the whole submission ``error`` with
"the grading channel was tampered with", and earns nothing. A stream that simply stops
(a crash, a time-out) is not tampering: what arrived in order keeps its points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jsonschema

from autograder import wire
from autograder.sandbox.isolation import NOTE_CHARS

_TEXT = {"type": "string", "maxLength": 4000}
_ERROR = {
    "type": "object",
    "properties": {"type": {"type": "string", "maxLength": 200}, "message": _TEXT,
                   "missing": {"type": "string", "maxLength": 200}},
    "required": ["type", "message"],
    "additionalProperties": False,
}
_NUMBER = {"type": "number", "minimum": 0}
SCHEMAS: dict[str, dict[str, Any]] = {
    "isolation": {
        "type": "object",
        "properties": {
            "kind": {"const": "isolation"},
            **{name: {"type": "boolean"} for name in (
                "pid_namespace", "network_isolated", "private_root", "ipc_namespace", "privileges_dropped",
                "capabilities_dropped", "seccomp")},
            "notes": {"type": "array", "maxItems": 20, "items": {"type": "string", "maxLength": NOTE_CHARS}},
        },
        "required": ["kind", "notes"],
        "additionalProperties": False,
    },
    "cell": {
        "type": "object",
        "properties": {"kind": {"const": "cell"}, "index": {"type": "integer", "minimum": 0}},
        "required": ["kind", "index"],
        "additionalProperties": False,
    },
    "cells": {
        "type": "object",
        "properties": {
            "kind": {"const": "cells"},
            "cells": {"type": "array", "maxItems": 10000, "items": {
                "type": "object",
                "properties": {"index": {"type": "integer", "minimum": 0}, "seconds": _NUMBER,
                               "error": {"anyOf": [{"type": "null"}, _ERROR]}},
                "required": ["index", "seconds", "error"],
                "additionalProperties": False,
            }},
        },
        "required": ["kind", "cells"],
        "additionalProperties": False,
    },
    "probe": {
        "type": "object",
        "properties": {"kind": {"const": "probe"}, "id": {"type": "string"}, "seconds": _NUMBER,
                       "data": {"type": "object"}, "error": _ERROR},
        "required": ["kind", "id", "seconds"],
        "oneOf": [{"required": ["data"]}, {"required": ["error"]}],
        "additionalProperties": False,
    },
    "done": {
        "type": "object",
        "properties": {"kind": {"const": "done"}},
        "required": ["kind"],
        "additionalProperties": False,
    },
}
_VALIDATORS = {kind: jsonschema.Draft202012Validator(schema) for kind, schema in SCHEMAS.items()}


class Tampered(ValueError):
    """The record stream broke the protocol; the message says where, for the TA."""


@dataclass
class ChannelReading:
    """What a submission's records say, once checked.

    Attributes:
        isolation: the runner's isolation record (without ``kind``), {} if none arrived.
        last_cell: index of the last cell that started, if the cells did not all finish.
        cells_done: every cell ran (the ``cells`` summary arrived).
        cell_errors: ``{"index", "type", "message"}`` of each cell that raised.
        probes: probe records by check id, data decoded.
        finished: ``done`` arrived after every probe.
        tampered: why the stream is not to be trusted, or None.
    """

    isolation: dict[str, Any] = field(default_factory=dict)
    last_cell: int | None = None
    cells_done: bool = False
    cell_errors: list[dict[str, Any]] = field(default_factory=list)
    probes: dict[str, dict[str, Any]] = field(default_factory=dict)
    finished: bool = False
    tampered: str | None = None


def _parse(line: str, number: int) -> dict[str, Any]:
    if not line.isascii():
        raise Tampered(f"record {number} is not ASCII JSON")
    try:
        record = wire.loads_raw(line)
    except wire.WireError as exc:
        raise Tampered(f"record {number} is not valid JSON ({exc})") from None
    kind = record.get("kind")
    validator = _VALIDATORS.get(kind) if isinstance(kind, str) else None
    if validator is None:
        raise Tampered(f"record {number} has an unknown kind")
    error = next(iter(validator.iter_errors(record)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the record"
        raise Tampered(f"record {number} ({kind}) is malformed at {where}")
    return record


def read_channel(lines: list[str], cell_indices: list[int], probe_ids: tuple[str, ...], *,
                 incomplete_line: bool = False, ran_to_end: bool = False) -> ChannelReading:
    """Check a job's records against the protocol and extract what they say.

    Args:
        lines: the record pipe's complete lines, in order.
        cell_indices: the indices of the cells the job ran, in order.
        probe_ids: the checks whose probes ran, in order.
        incomplete_line: bytes followed the last newline.
        ran_to_end: the runner ended by itself (so a cut-short record is not explained by a kill).
    """
    reading = ChannelReading()
    try:
        _read(reading, lines, cell_indices, probe_ids)
        if incomplete_line and ran_to_end:
            raise Tampered("the last record was cut short although the process ended by itself")
    except Tampered as exc:
        reading.tampered = str(exc)
    return reading


def _read(reading: ChannelReading, lines: list[str], cell_indices: list[int], probe_ids: tuple[str, ...]) -> None:
    cells_seen = 0
    for number, line in enumerate(lines, start=1):
        record = _parse(line, number)
        kind = record["kind"]
        if number == 1:
            if kind != "isolation":
                raise Tampered("the first record is not the isolation report")
            reading.isolation = {k: v for k, v in record.items() if k != "kind"}
        elif kind == "isolation":
            raise Tampered(f"record {number}: a second isolation report")
        elif reading.finished:
            raise Tampered(f"record {number} ({kind}) came after the end")
        elif kind == "cell":
            if reading.cells_done or cells_seen >= len(cell_indices) or record["index"] != cell_indices[cells_seen]:
                raise Tampered(f"record {number}: cell {record['index']} out of order")
            reading.last_cell = record["index"]
            cells_seen += 1
        elif kind == "cells":
            _read_cells(reading, record, cell_indices, cells_seen, number)
        elif kind == "probe":
            _read_probe(reading, record, probe_ids, number)
        elif kind == "done":
            if len(reading.probes) != len(probe_ids):
                raise Tampered(f"record {number}: the end came before every check had run")
            reading.finished = True


def _read_cells(reading: ChannelReading, record: dict[str, Any], cell_indices: list[int], cells_seen: int,
                number: int) -> None:
    entries = record["cells"]
    if reading.cells_done or cells_seen != len(cell_indices) or [c["index"] for c in entries] != cell_indices:
        raise Tampered(f"record {number}: the cell summary does not match the cells that ran")
    reading.cells_done = True
    reading.last_cell = None
    reading.cell_errors = [{"index": c["index"], "type": c["error"]["type"], "message": c["error"]["message"]}
                           for c in entries if c["error"] is not None]


def _read_probe(reading: ChannelReading, record: dict[str, Any], probe_ids: tuple[str, ...], number: int) -> None:
    position = len(reading.probes)
    if not reading.cells_done or position >= len(probe_ids) or record["id"] != probe_ids[position]:
        raise Tampered(f"record {number}: check {record['id'][:60]!r} out of order")
    if "data" in record:
        try:
            record = {**record, "data": wire.decode(record["data"])}
        except (wire.WireError, ValueError, RecursionError) as exc:
            raise Tampered(f"record {number}: the measurement of {record['id']} is malformed ({exc})") from None
    reading.probes[record["id"]] = record

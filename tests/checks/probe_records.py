"""A probe's record as the grader would receive it, produced in-process for the check tests.

The real grader runs probes in a sandboxed child process (the corpus is graded that way, in
``tests/test_corpus_graded.py``); the reference's own records are made here.
"""

from __future__ import annotations

from typing import Any

from autograder import wire
from autograder.probes.runner import run_probe


def run_record(check: Any, namespace: dict[str, Any]) -> dict[str, Any]:
    """One probe record, sent through the wire format as the real grader would receive it."""
    record = run_probe(check.id, check.probe, namespace, budget_s=0)
    record.pop("seconds", None)
    return wire.loads_line(wire.dumps_line(record))

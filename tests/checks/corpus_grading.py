"""Grade answer sources in-process: run every probe on a namespace, judge every record.

Used by the check tests only; the real grader runs probes in a sandboxed child process.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from corpus import CorpusEntry

from autograder import wire
from autograder.checks import ALL_CHECKS
from autograder.checks.judging import TestResult, apply_source_rule, judge
from autograder.checks.redact import Redactor
from autograder.probes.runner import run_probe


def run_record(check: Any, namespace: dict[str, Any]) -> dict[str, Any]:
    """One probe record, sent through the wire format as the real grader would receive it."""
    record = run_probe(check.id, check.probe, namespace, budget_s=0)
    record.pop("seconds", None)
    return wire.loads_line(wire.dumps_line(record))


def grade_namespace(namespace: dict[str, Any], expected: dict[str, list[Any]],
                    sources: list[str] = ()) -> dict[str, TestResult]:
    """Every check's result for one namespace, by check id (source rules read ``sources``)."""
    redactor = Redactor()
    return {
        check.id: apply_source_rule(check, judge(check, run_record(check, namespace), expected[check.id], redactor),
                                    list(sources))
        for check in ALL_CHECKS
    }


def answer_namespace(source: str, reference: dict[str, Any], name: str) -> tuple[dict[str, Any], set[str]]:
    """Run an answer cell's source in a fresh namespace and merge it over ``reference``.

    Returns:
        The merged namespace and the names the source defined.
    """
    from IPython.core.inputtransformer2 import TransformerManager

    shell = SimpleNamespace(run_line_magic=lambda *a, **k: None, run_cell_magic=lambda *a, **k: None,
                            system=lambda *a, **k: None)
    cell: dict[str, Any] = {"tf": tf, "np": np, "keras": keras, "__name__": f"corpus_{name}",
                            "get_ipython": lambda: shell}
    before = set(cell)
    python = TransformerManager().transform_cell(source)  # as IPython (and the grader) would run it
    exec(compile(python, f"<corpus {name}>", "exec"), cell)  # noqa: S102 - our own corpus files
    defined = {k for k in cell if k not in before and not k.startswith("__")}
    return {**reference, **cell}, defined


@dataclass
class CorpusGrader:
    """Grades corpus entries against the reference, caching each entry's results."""

    reference: dict[str, Any]
    expected: dict[str, list[Any]]

    def __post_init__(self) -> None:
        self._cache: dict[str, tuple[dict[str, TestResult], set[str]]] = {}

    def grade(self, entry: CorpusEntry) -> tuple[dict[str, TestResult], set[str]]:
        """(results by check id, names the entry's source defines)."""
        if entry.id not in self._cache:
            namespace, defined = answer_namespace(entry.source, self.reference, entry.path.stem)
            self._cache[entry.id] = (grade_namespace(namespace, self.expected, [entry.source]), defined)
        return self._cache[entry.id]

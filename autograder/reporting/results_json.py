"""Gradescope's results.json for one submission.

Format: https://gradescope-autograders.readthedocs.io/en/latest/specs/ (top-level ``score``,
``output``, ``visibility``, ``stdout_visibility``, ``tests`` with ``name``, ``score``,
``max_score``, ``status``, ``output``, ``visibility``). Hidden checks become visible after
the grades are published; the notebook's own output is never shown to students.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder.files import atomic_write_text
from autograder.grading.results import SubmissionResult

RESULTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["tests"],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "stdout_visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["score", "max_score", "name"],
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "name": {"type": "string"},
                    "output": {"type": "string"},
                    "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
                },
            },
        },
    },
}


def summary_text(result: SubmissionResult) -> str:
    """The top-level message students see."""
    lines = [f"Score: {result.score:g} / {result.max_score:g}"]
    for question, (earned, available) in result.question_scores().items():
        lines.append(f"  {question}: {earned:g} / {available:g}")
    if result.status != "graded" or result.reason:
        lines.append("")
        lines.append(result.reason or f"Status: {result.status}")
    if result.cell_errors:
        lines.append("")
        lines.append("Cells that raised an error while grading (fix these first):")
        for err in result.cell_errors[:10]:
            lines.append(f"  cell {err.get('index')}: {err.get('type')}: {str(err.get('message', ''))[:200]}")
    lines.append("")
    lines.append("Written answers (q1, q2) are graded by hand.")
    return "\n".join(lines)


def results_json(result: SubmissionResult) -> dict[str, Any]:
    """The Gradescope results object for one submission."""
    return {
        "score": result.score,
        "execution_time": round(result.seconds, 2),
        "output": summary_text(result),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": t.name,
                "score": t.score,
                "max_score": t.points,
                "status": "passed" if t.passed else "failed",
                "output": t.message,
                "visibility": "after_published",
            }
            for t in result.tests
        ],
    }


def write_results_json(result: SubmissionResult, path: Path) -> None:
    """Write one results.json atomically."""
    atomic_write_text(path, json.dumps(results_json(result), indent=2))

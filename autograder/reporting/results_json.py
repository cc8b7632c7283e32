"""Gradescope's results.json for one submission.

Format: https://gradescope-autograders.readthedocs.io/en/latest/specs/ (top-level ``score``,
``output``, ``visibility``, ``stdout_visibility``, ``tests`` with ``name``, ``score``,
``max_score``, ``status``, ``output``, ``visibility``). What students see before the grades
are published is the instructor's choice (``feedback``, see
:mod:`autograder.gradescope.options`); the notebook's own output is never shown to them. All
text is marked ``output_format: text``, so Gradescope shows ``<tf.Tensor ...>`` or
``<lambda>`` as written instead of dropping them as HTML tags. Each written answer goes into a
``hidden`` test (staff only), for the graders of the manual questions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder.checks import WRITTEN_QUESTIONS
from autograder.files import atomic_write_text
from autograder.grading.results import SubmissionResult

FORMATS = ["text", "html", "simple_format", "md", "ansi"]
WRITTEN_TEST = "{question}: written answer (for graders; students never see this)"
"""Name of the staff-only test that carries a question's written answer (question first, as every test)."""


def is_written_test(name: str) -> bool:
    """Whether a results.json test is one of the written-answer tests."""
    return name.endswith(WRITTEN_TEST.removeprefix("{question}"))
RESULTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["tests"],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "stdout_visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "output_format": {"enum": FORMATS},
        "test_output_format": {"enum": FORMATS},
        "test_name_format": {"enum": FORMATS},
        "extra_data": {"type": "object"},
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
                    "output_format": {"enum": FORMATS},
                },
            },
        },
    },
}


def summary_text(result: SubmissionResult, *, questions: bool = True) -> str:
    """The top-level message students see (``questions``: with each question's score)."""
    lines = [f"Score: {result.score:g} / {result.max_score:g}"]
    if questions:
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


def written_tests(result: SubmissionResult) -> list[dict[str, Any]]:
    """One hidden, 0-point test per written question, holding the answer as the student wrote it."""
    return [{"name": WRITTEN_TEST.format(question=q), "score": 0.0, "max_score": 0.0,
             "output": result.written.get(q, "").strip() or "(no answer)", "visibility": "hidden",
             "output_format": "text"} for q in WRITTEN_QUESTIONS]


def results_json(result: SubmissionResult, *, feedback: str = "total") -> dict[str, Any]:
    """The Gradescope results object for one submission.

    Args:
        result: the graded submission.
        feedback: what students see before publishing: ``none``, ``total``, ``questions`` or
            ``tests`` (see :mod:`autograder.gradescope.options`); everything shows once published.
    """
    test_visibility = "visible" if feedback == "tests" else "after_published"
    tests = [
        {
            "name": t.name,
            "score": t.score,
            "max_score": t.points,
            "status": "passed" if t.passed else "failed",
            "output": t.message,
            "visibility": test_visibility,
            "output_format": "text",
        }
        for t in result.tests
    ]
    tests += written_tests(result)
    return {
        "score": result.score,
        "execution_time": round(result.seconds, 2),
        "output": summary_text(result, questions=feedback in ("questions", "tests")),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "after_published" if feedback == "none" else "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"graded": True, "status": result.status},
        "tests": tests,
    }


def write_results_json(result: SubmissionResult, path: Path, *, feedback: str = "total") -> None:
    """Write one results.json atomically."""
    atomic_write_text(path, json.dumps(results_json(result, feedback=feedback), indent=2))

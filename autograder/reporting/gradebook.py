"""The gradebook CSV: one row per submission, the columns fixed by the assignment contract."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from autograder.checks import QUESTIONS
from autograder.files import atomic_write_text
from autograder.grading.results import SubmissionResult
from autograder.text import spreadsheet_safe

COLUMNS = ("submission", "status", "score", "max_score", *QUESTIONS)
EXTRA_COLUMNS = ("student", "reason", "seconds")


def _fmt(value: float) -> str:
    return f"{value:g}"


def gradebook_rows(results: list[SubmissionResult]) -> list[dict[str, str]]:
    """Rows of the gradebook, in the given order."""
    rows = []
    for r in results:
        per_q = r.question_scores()
        row = {
            "submission": spreadsheet_safe(r.key),
            "status": r.status,
            "score": _fmt(r.score),
            "max_score": _fmt(r.max_score),
            **{q: _fmt(per_q.get(q, (0.0, 0.0))[0]) for q in QUESTIONS},
            "student": spreadsheet_safe(r.student),
            "reason": spreadsheet_safe(r.reason),
            "seconds": f"{r.seconds:.2f}",
        }
        rows.append(row)
    return rows


def write_gradebook(results: list[SubmissionResult], path: Path) -> None:
    """Write ``grades.csv`` atomically (contract columns first, then student/reason/seconds)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*COLUMNS, *EXTRA_COLUMNS], lineterminator="\n")
    writer.writeheader()
    writer.writerows(gradebook_rows(results))
    atomic_write_text(path, buffer.getvalue())

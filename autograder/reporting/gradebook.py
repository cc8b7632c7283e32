"""The gradebook CSV: one row per submission, the columns fixed by the assignment contract."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from autograder.checks import QUESTIONS, WRITTEN_QUESTIONS
from autograder.files import atomic_write_text
from autograder.grading.results import SubmissionResult
from autograder.manual.final import FinalGrade
from autograder.text import spreadsheet_safe

COLUMNS = ("submission", "status", "score", "max_score", *QUESTIONS)
EXTRA_COLUMNS = ("student", "reason", "seconds")
FINAL_COLUMNS = ("overrides", "autograded", *(f"{q}_written" for q in WRITTEN_QUESTIONS), "total", "max_total",
                 "manual_flags")
"""Added once TAs have entered manual scores (``autograder review``): the final grade."""


def _fmt(value: float) -> str:
    return f"{value:g}"


def _final_columns(final: FinalGrade) -> dict[str, str]:
    written = {f"{q}_written": _fmt(w.score) if w.score is not None else "" for q, w in final.written.items()}
    return {"overrides": spreadsheet_safe("; ".join(f"{c}={o.points:g}" for c, o in sorted(final.overrides.items()))),
            "autograded": _fmt(final.autograded), **written, "total": _fmt(final.total),
            "max_total": _fmt(final.max_total), "manual_flags": spreadsheet_safe("; ".join(final.flags))}


def gradebook_rows(results: list[SubmissionResult],
                   finals: dict[str, FinalGrade] | None = None) -> list[dict[str, str]]:
    """Rows of the gradebook, in the given order (with the final-grade columns when ``finals``)."""
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
        if finals is not None and r.key in finals:
            row.update(_final_columns(finals[r.key]))
        rows.append(row)
    return rows


def write_gradebook(results: list[SubmissionResult], path: Path,
                    finals: dict[str, FinalGrade] | None = None) -> None:
    """Write ``grades.csv`` atomically (contract columns first, then student/reason/seconds, then
    the final grade once there are manual scores)."""
    buffer = io.StringIO()
    columns = [*COLUMNS, *EXTRA_COLUMNS, *(FINAL_COLUMNS if finals is not None else ())]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(gradebook_rows(results, finals))
    atomic_write_text(path, buffer.getvalue())

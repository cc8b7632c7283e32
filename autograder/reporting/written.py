"""Written answers for manual grading: safe HTML rendering and the TA spreadsheet."""

from __future__ import annotations

import csv
import io
from functools import cache
from typing import Any

from markupsafe import Markup

from autograder.checks import WRITTEN_QUESTIONS
from autograder.grading.results import SubmissionResult
from autograder.text import spreadsheet_safe

"""Questions with a manually graded written answer (``written:qN`` markdown cells)."""

CSV_COLUMNS = ("submission", "student", *WRITTEN_QUESTIONS)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@cache
def _markdown() -> Any:
    """markdown-it-py's renderer, or ``None`` when it is not installed."""
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        return None
    # html=False: raw HTML in an answer is shown as text. Images are off so that an answer cannot
    # make the page load anything; markdown-it already refuses javascript:/data: links.
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"]).disable("image")


def render_answer(text: str) -> Markup:
    """Student markdown as safe HTML: rendered when markdown-it-py is installed, else ``<pre>``.

    Args:
        text: the raw markdown of the answer cell.

    Returns:
        HTML in which everything the student wrote is escaped.
    """
    md = _markdown()
    if md is None:
        return Markup('<pre class="answer-raw">{}</pre>').format(text)
    return Markup(md.render(text))  # safe: html=False makes markdown-it escape all input


def written_csv(results: list[SubmissionResult]) -> str:
    """``written_answers.csv``: one row per submission, raw answers (empty when missing)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in results:
        writer.writerow([spreadsheet_safe(r.key), spreadsheet_safe(r.student),
                         *(spreadsheet_safe(r.written.get(q, "")) for q in WRITTEN_QUESTIONS)])
    return buffer.getvalue()


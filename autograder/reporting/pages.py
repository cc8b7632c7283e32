"""HTML pages for TAs and students: feedback per submission, class report, written answers, index.

Every page is one self-contained file (inline CSS, plots as PNG ``data:`` URIs, no scripts) and
is rendered by Jinja2 with autoescaping, so names, messages, notebook output and written answers
are always shown as text. A Content-Security-Policy forbids scripts and outside resources as a
second line of defence. Files are written atomically.

Layout under ``out``::

    index.html                 links to everything below
    report.html                class statistics, plots, one row per submission
    feedback/<key>.html        one page per submission
    written/<q>.html           every submission's answer to one written question
    written/written_answers.csv
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import escape

from autograder.checks import WRITTEN_QUESTIONS
from autograder.checks.judging import TestResult
from autograder.files import atomic_write_text
from autograder.grading.results import SubmissionResult
from autograder.manual.final import FinalGrade
from autograder.manual.rubric import Rubric
from autograder.reporting import plots
from autograder.reporting.mistakes import common_mistakes
from autograder.reporting.summary import question_order, questions_of, summarize
from autograder.reporting.written import render_answer, written_csv
from autograder.similarity.pairs import SimilarityFile, load_similarity

log = logging.getLogger(__name__)

ASSIGNMENT_TITLE = "Pooling, Normalizations, and Custom Layers"
TEMPLATES = Path(__file__).with_name("templates")
WRITE_THREADS = 8
"""Feedback pages are written (and fsynced) by this many threads while the next ones render."""


@dataclass
class QuestionView:
    """One question's block on a feedback page."""

    question: str
    earned: float = 0.0
    available: float = 0.0
    tests: list[TestResult] = field(default_factory=list)

    @property
    def percent(self) -> float:
        """Score as a percentage of the question's points."""
        return 100.0 * self.earned / self.available if self.available else 0.0


def _num(value: float) -> str:
    return f"{value:g}"


@cache
def environment() -> Environment:
    """The Jinja2 environment of the report templates (autoescaping on for every template)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates are part of the package: no stat() per page
    )
    env.filters["num"] = _num
    env.globals["assignment"] = ASSIGNMENT_TITLE
    env.globals["written_questions"] = WRITTEN_QUESTIONS
    return env


def _render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def feedback_name(key: str) -> str:
    """File name of a submission's feedback page.

    Raises:
        ValueError: ``key`` is not a plain file name (keys are file-name-safe by construction).
    """
    if not key or key in {".", ".."} or PurePosixPath(key).name != key or "\\" in key:
        raise ValueError(f"Expected a file-name-safe submission key. Received: key={key!r}")
    return f"{key}.html"


def _href(folder: str, key: str) -> str:
    return f"{folder}{quote(feedback_name(key))}"


def _written_views(result: SubmissionResult, final: FinalGrade | None, rubric: Rubric | None) -> list[dict[str, Any]]:
    """Each written question for the feedback page: answered?, and once graded, score, items, comment."""
    views = []
    for q in WRITTEN_QUESTIONS:
        view: dict[str, Any] = {"question": q, "answered": bool(result.written.get(q, "").strip()), "grade": None}
        if final is not None and rubric is not None and q in final.written and q in rubric:
            grade = final.written[q]
            if grade.score is not None and grade.entry is not None:
                view["grade"] = {"score": grade.score, "max": grade.max_score, "comment": grade.entry.comment,
                                 "adjust": grade.entry.adjust,
                                 "rubric_items": [(i, i.id in grade.entry.items) for i in rubric[q].items]}
        views.append(view)
    return views


def feedback_page(result: SubmissionResult, final: FinalGrade | None = None, rubric: Rubric | None = None) -> str:
    """The HTML feedback page of one submission (with its manual grades once TAs entered them)."""
    views: dict[str, QuestionView] = {}
    for t in result.tests:
        view = views.setdefault(t.question, QuestionView(t.question))
        view.tests.append(t)
        view.earned = round(view.earned + t.score, 4)
        view.available = round(view.available + t.points, 4)
    questions = sorted(views.values(), key=lambda v: question_order(v.question))
    return _render(
        "feedback.html",
        r=result,
        source_name=PurePosixPath(result.source.replace("\\", "/")).name if result.source else "",
        questions=questions,
        percent=100.0 * result.score / result.max_score if result.max_score else 0.0,
        written=_written_views(result, final, rubric),
        final=final,
        output_lines=len(result.output.splitlines()),
    )


def _feedback_or_notice(result: SubmissionResult, final: FinalGrade | None = None,
                        rubric: Rubric | None = None) -> str:
    """The feedback page, or a short page saying it could not be made (one page never stops the rest)."""
    try:
        return feedback_page(result, final, rubric)
    except Exception:
        log.exception("could not render the feedback page of %s", result.key)
        return ("<!doctype html><meta charset='utf-8'><title>Feedback</title>"
                f"<p>The feedback page of {escape(result.key)} could not be made; see grades.csv and "
                "results/ for its score.</p>")


def report_page(results: list[SubmissionResult], finals: dict[str, FinalGrade] | None = None,
                similarity: SimilarityFile | None = None) -> str:
    """The class report: summary, plots, common mistakes, a link to the similar answers (if ``grade``
    found any), and one linked row per submission (with final grades if any)."""
    summary = summarize(results)
    rows = [
        {
            "key": r.key,
            "href": _href("feedback/", r.key),
            "student": r.student,
            "status": r.status,
            "score": r.score,
            "max_score": r.max_score,
            "per_q": {q: earned for q, (earned, _) in r.question_scores().items()},
            "seconds": r.seconds,
            "reason": r.reason,
            "final": (finals or {}).get(r.key),
        }
        for r in results
    ]
    charts = {
        "histogram": plots.score_histogram(results, summary.max_score),
        "questions": plots.question_chart(summary.questions),
        "tests": plots.pass_rate_chart(summary.tests),
        "slowest": plots.slowest_chart(summary.slowest),
    }
    manual = _manual_summary(list((finals or {}).values()))
    students = {r.key: r.student for r in results}
    mistakes = {
        q: [{"group": g, "links": [{"key": k, "student": students.get(k, ""), "href": _href("feedback/", k)}
                                   for k in g.keys]} for g in groups]
        for q, groups in common_mistakes(results).items()
    }
    similar = None if similarity is None else {
        "note": similarity.note,
        "questions": [{"question": q, "pairs": len(ps), "top": ps[0].score if ps else None,
                       "students": len({k for p in ps for k in (p.a, p.b)})}
                      for q, ps in similarity.pairs.items()],
        "settings": similarity.settings,
    }
    return _render("report.html", s=summary, rows=rows, questions=questions_of(results), plots=charts,
                   manual=manual, written_questions=WRITTEN_QUESTIONS if finals else (), mistakes=mistakes,
                   similar=similar)


def _manual_summary(finals: list[FinalGrade]) -> list[dict[str, Any]]:
    """Per written question: how many are graded, and their mean (for the class report)."""
    out = []
    for q in WRITTEN_QUESTIONS:
        scores = [f.written[q].score for f in finals if q in f.written and f.written[q].score is not None]
        maximum = next((f.written[q].max_score for f in finals if q in f.written), 0.0)
        out.append({"question": q, "graded": len(scores), "count": len(finals), "max": maximum,
                    "mean": sum(scores) / len(scores) if scores else None})
    return out if finals else []


def written_page(results: list[SubmissionResult], question: str) -> str:
    """Every submission's answer to one written question, for manual grading."""
    entries = []
    for r in results:
        text = r.written.get(question, "")
        text = text if text.strip() else ""
        entries.append({
            "key": r.key,
            "student": r.student,
            "href": _href("../feedback/", r.key),
            "text": text,
            "html": render_answer(text) if text else "",
        })
    answered = sum(1 for e in entries if e["text"])
    return _render("written.html", question=question, entries=entries, answered=answered)


def index_page(results: list[SubmissionResult]) -> str:
    """The entry page linking the report, written answers and gradebook."""
    summary = summarize(results, slowest=0)
    return _render("index.html", count=summary.count, status_counts=summary.status_counts)


def _write_many(files: Iterable[tuple[Path, str]]) -> None:
    """Write files atomically; rendering (GIL-bound) overlaps with writing (fsync, in threads)."""
    with ThreadPoolExecutor(WRITE_THREADS, thread_name_prefix="pages") as pool:
        futures = [pool.submit(atomic_write_text, path, text) for path, text in files]
    for future in futures:
        future.result()


def write_all(results: list[SubmissionResult], out: Path, finals: dict[str, FinalGrade] | None = None,
              rubric: Rubric | None = None) -> None:
    """Write every page for a graded batch under ``out`` (each file atomically).

    Args:
        results: one per submission, in gradebook order.
        out: the grading output folder (``grades.csv`` and ``results/`` live there too).
        finals, rubric: the final grades and the rubric, once TAs have entered manual scores.

    Raises:
        ValueError: a result's key is not a plain file name.
    """
    for r in results:
        feedback_name(r.key)  # refuse unsafe keys before writing anything
    finals = finals or {}
    _write_many((out / "feedback" / feedback_name(r.key), _feedback_or_notice(r, finals.get(r.key), rubric))
                for r in results)
    for q in WRITTEN_QUESTIONS:
        atomic_write_text(out / "written" / f"{q}.html", written_page(results, q))
    atomic_write_text(out / "written" / "written_answers.csv", written_csv(results))
    atomic_write_text(out / "report.html", report_page(results, finals or None, load_similarity(out)))
    atomic_write_text(out / "index.html", index_page(results))
    log.info("wrote %d feedback pages, the class report and written answers under %s", len(results), out)

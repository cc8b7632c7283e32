"""Writing a batch's outputs: results.json as each result arrives, the rest once it is done.

- ``results/<key>.json``: Gradescope-format results, written the moment a result is ready (a
  crash or Ctrl-C later loses none of them);
- ``grades.csv`` and every page (feedback, class report, written answers, index), at the end;
  after an interruption, ``grades.csv`` for what was graded so far.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from autograder.files import atomic_write_text
from autograder.grading.results import SubmissionResult
from autograder.manual.final import FinalGrade, saved_finals
from autograder.manual.rubric import Rubric, RubricError
from autograder.manual.store import ManualInputError
from autograder.reporting import pages
from autograder.reporting.gradebook import write_gradebook
from autograder.reporting.results_json import write_results_json

log = logging.getLogger(__name__)

SUBMISSIONS_NAME = "submissions.json"
"""Every result in full (TA-only): what ``autograder review`` and ``export`` read."""


class OutputWriter:
    """The outputs of one batch under ``out``.

    Args:
        out: the output folder (created).
        feedback: what results.json shows students before publishing (see
            :mod:`autograder.gradescope.options`).
    """

    def __init__(self, out: Path, *, feedback: str = "total") -> None:
        self.out = out
        self.feedback = feedback
        self.done: list[SubmissionResult] = []
        (out / "results").mkdir(parents=True, exist_ok=True)

    def add(self, result: SubmissionResult) -> None:
        """Write one result's results.json (a failure is logged; its row still reaches grades.csv)."""
        try:
            write_results_json(result, self.out / "results" / f"{result.key}.json", feedback=self.feedback)
        except Exception:
            log.exception("could not write the results.json of %r", result.key)
        self.done.append(result)

    def write_partial(self, order: dict[str, int]) -> None:
        """grades.csv for the results delivered so far, in input order (after an interruption)."""
        self.write_tables(sorted(self.done, key=lambda r: order.get(r.key, len(order))))

    def write_tables(self, results: list[SubmissionResult], *, keep_submissions: bool = False,
                     ) -> tuple[dict[str, FinalGrade] | None, Rubric | None]:
        """``submissions.json`` (what ``review`` reads; kept as it is with ``keep_submissions``) and
        ``grades.csv``, with the final grades once TAs have entered manual scores (scores of
        changed answers are flagged, not counted)."""
        if not keep_submissions:
            atomic_write_text(self.out / SUBMISSIONS_NAME,
                              json.dumps([r.to_dict() for r in results], ensure_ascii=False) + "\n")
        try:
            finals, rubric = saved_finals(self.out, results)
        except (RubricError, ManualInputError) as exc:  # the autograded outputs must not depend on them
            log.error("manual scores not included: %s", exc)
            finals, rubric = None, None
        write_gradebook(results, self.out / "grades.csv", finals)
        return finals, rubric

    def write_all(self, results: list[SubmissionResult], *, keep_submissions: bool = False,
                  ) -> dict[str, FinalGrade] | None:
        """The gradebook and every report derived from ``results``; returns the final grades
        written (None before any manual score)."""
        finals, rubric = self.write_tables(results, keep_submissions=keep_submissions)
        pages.write_all(results, self.out, finals, rubric)
        return finals

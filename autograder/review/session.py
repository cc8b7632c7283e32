"""One review session: the graded batch, the rubric and the manual scores of one output folder.

Both the web app and ``autograder export`` go through it, so that what the TA sees while
grading is what the exported files say.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from autograder.grading.results import SubmissionResult
from autograder.manual.final import FinalGrade, final_grades
from autograder.manual.rubric import RUBRIC_NAME, Rubric, default_rubric_path, load_rubric
from autograder.manual.store import ManualStore
from autograder.reporting.outputs import SUBMISSIONS_NAME, OutputWriter


class SessionError(ValueError):
    """The output folder is not one ``autograder grade`` wrote (the message names the file)."""


class ReviewSession:
    """The results, rubric and manual scores of ``out``.

    Args:
        out: the output folder of ``autograder grade``.
        rubric_path: the rubric (default: the repository's, else the copy kept in ``out``); it
            is copied into ``out`` so that later ``grade`` and ``export`` runs use the same one.
    """

    def __init__(self, out: Path, rubric_path: Path | None = None) -> None:
        self.out = out
        source = out / SUBMISSIONS_NAME
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
            self.results = [SubmissionResult.from_dict(d) for d in data]
        except FileNotFoundError:
            raise SessionError(f"{source}: not found: run `autograder grade ... --out {out}` first") from None
        except (ValueError, TypeError, KeyError) as exc:
            raise SessionError(f"{source}: not a file autograder grade wrote ({exc})") from exc
        self.by_key = {r.key: r for r in self.results}
        copy = out / RUBRIC_NAME
        if rubric_path is None:
            try:
                rubric_path = default_rubric_path()
            except FileNotFoundError:
                rubric_path = copy
        self.rubric: Rubric = load_rubric(rubric_path)
        if rubric_path.resolve() != copy.resolve():
            shutil.copyfile(rubric_path, copy)
        self.store = ManualStore(out)
        self.store.load()  # a broken manual.json is reported now, not at the first save

    def finals(self) -> dict[str, FinalGrade]:
        return final_grades(self.results, self.store.load(), self.rubric)

    def write_outputs(self) -> None:
        """grades.csv (with the final grade), feedback pages and the class report, again."""
        OutputWriter(self.out).write_all(self.results)

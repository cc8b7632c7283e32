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
from autograder.manual.rubric import RUBRIC_NAME, Rubric, load_rubric, rubric_path_for
from autograder.manual.store import ManualStore
from autograder.reporting.outputs import SUBMISSIONS_NAME, OutputWriter
from autograder.similarity.pairs import SimilarityFile, load_similarity


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
        self._stamp: tuple[int, int] | None = None
        self.results: list[SubmissionResult] = []
        self.by_key: dict[str, SubmissionResult] = {}
        self.refresh()
        self.store = ManualStore(out)
        scored = bool(self.store.load().written)  # a broken manual.json is reported now, not at the first save
        self.rubric: Rubric = self._rubric(rubric_path, scored)

    def _rubric(self, given: Path | None, scored: bool) -> Rubric:
        """The copy in ``out`` once there is one (the scores were entered against it), else the
        repository's; another rubric replaces the copy only while no written answer is scored."""
        copy = self.out / RUBRIC_NAME
        given = given or rubric_path_for(self.out)
        rubric = load_rubric(given)
        if copy.exists() and given.resolve() != copy.resolve() and copy.read_bytes() != given.read_bytes():
            if scored:
                raise SessionError(f"{given}: differs from {copy}, against which written answers were already "
                                   f"scored; to keep those scores leave out --rubric (or edit {copy} itself)")
        if given.resolve() != copy.resolve():
            shutil.copyfile(given, copy)
        return rubric

    def refresh(self) -> None:
        """Read ``submissions.json`` again if ``grade`` has rewritten it since.

        Raises:
            SessionError: naming the file, if it is missing or not what ``grade`` writes.
        """
        source = self.out / SUBMISSIONS_NAME
        try:
            stat = source.stat()
            if self._stamp == (stat.st_mtime_ns, stat.st_size):
                return
            data = json.loads(source.read_text(encoding="utf-8"))
            results = [SubmissionResult.from_dict(d) for d in data]
        except FileNotFoundError:
            raise SessionError(f"{source}: not found: run `autograder grade ... --out {self.out}` first") from None
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise SessionError(f"{source}: not a file autograder grade wrote ({exc})") from exc
        self.results, self.by_key = results, {r.key: r for r in results}
        self._stamp = (stat.st_mtime_ns, stat.st_size)

    def similarity(self) -> SimilarityFile | None:
        """What ``grade`` found similar in this batch (None: not computed, e.g. an older output folder)."""
        return load_similarity(self.out)

    def finals(self) -> dict[str, FinalGrade]:
        return final_grades(self.results, self.store.load(), self.rubric)

    def write_outputs(self) -> dict[str, FinalGrade]:
        """grades.csv (with the final grade), feedback pages and the class report, from the
        newest ``grade`` run (its ``submissions.json`` is read, never written, here).

        Returns:
            The final grades written.
        """
        self.refresh()
        finals = OutputWriter(self.out).write_all(self.results, keep_submissions=True)
        return finals if finals is not None else self.finals()

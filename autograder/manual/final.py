"""Final grades: the autograded tests (with the TA's overrides) plus the written answers' scores.

An entry made for an answer or a notebook that has since changed (``grade`` ran again on a
new submission) is not counted: it is flagged, so that the TA looks again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from autograder.grading.results import SubmissionResult
from autograder.manual.rubric import Rubric, load_rubric, rubric_path_for
from autograder.manual.store import ManualData, ManualStore, Override, WrittenScore, answer_hash


@dataclass
class WrittenGrade:
    """One written answer's manual grade as it counts (``score`` None: not graded, or stale)."""

    question: str
    score: float | None
    max_score: float
    entry: WrittenScore | None = None
    stale: bool = False


@dataclass
class FinalGrade:
    """One submission's final grade."""

    key: str
    student: str
    autograded: float
    autograded_max: float
    written: dict[str, WrittenGrade]
    overrides: dict[str, Override] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return round(self.autograded + sum(w.score or 0.0 for w in self.written.values()), 4)

    @property
    def max_total(self) -> float:
        return round(self.autograded_max + sum(w.max_score for w in self.written.values()), 4)

    @property
    def complete(self) -> bool:
        """Every written answer has a counted score."""
        return all(w.score is not None for w in self.written.values())


def current_overrides(result: SubmissionResult, data: ManualData) -> tuple[dict[str, Override], list[str]]:
    """The overrides that apply to this result, and flags for those made for another notebook."""
    applied, flags = {}, []
    known = {t.check_id for t in result.tests}
    for check_id, entry in data.overrides.get(result.key, {}).items():
        if check_id not in known:
            continue
        if entry.content_hash and entry.content_hash != result.content_hash:
            flags.append(f"override of {check_id} was made for an earlier submission: not applied")
        else:
            applied[check_id] = entry
    return applied, flags


def final_grade(result: SubmissionResult, data: ManualData, rubric: Rubric) -> FinalGrade:
    """The final grade of one submission."""
    overrides, flags = current_overrides(result, data)
    autograded = sum(overrides[t.check_id].points if t.check_id in overrides else t.score for t in result.tests)
    written = {}
    for q in rubric.questions:
        entry = data.written.get(result.key, {}).get(q.question)
        stale = entry is not None and entry.answer_sha != answer_hash(result.written.get(q.question, ""))
        if stale:
            flags.append(f"{q.question}: the answer changed since it was graded ({entry.score(q):g} points): "
                         "grade it again")
        elif entry is not None and entry.rubric and entry.rubric != q.fingerprint:
            stale = True
            flags.append(f"{q.question}: the rubric's points changed since it was graded: grade it again")
        score = entry.score(q) if entry is not None and not stale else None
        written[q.question] = WrittenGrade(q.question, score, q.points, entry, stale)
    return FinalGrade(result.key, result.student, round(autograded, 4), result.max_score, written, overrides, flags)


def final_grades(results: list[SubmissionResult], data: ManualData, rubric: Rubric) -> dict[str, FinalGrade]:
    """Every submission's final grade, by key."""
    return {r.key: final_grade(r, data, rubric) for r in results}


def saved_finals(out: Path, results: list[SubmissionResult]) -> tuple[dict[str, FinalGrade] | None, Rubric | None]:
    """The final grades for an output folder in which TAs have entered scores (else ``(None, None)``).

    The rubric is :func:`autograder.manual.rubric.rubric_path_for`'s.

    Raises:
        RubricError, ManualInputError: naming the file and the problem.
    """
    store = ManualStore(out)
    if not store.path.exists():
        return None, None
    rubric = load_rubric(rubric_path_for(out))
    return final_grades(results, store.load(), rubric), rubric

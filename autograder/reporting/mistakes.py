"""The class's common mistakes: for each question, its failed checks grouped by what failed.

A TA reading hundreds of feedback pages one by one sees the same few messages again and again.
Grouping the failed checks by the check and its message (the words the student read) puts
the largest groups first, each with the submissions in it, so that one look says what the
class got wrong and one click opens each student's feedback.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from autograder.grading.results import SubmissionResult
from autograder.reporting.summary import question_order


@dataclass(frozen=True)
class MistakeGroup:
    """The submissions that failed one check with one message."""

    question: str
    check_id: str
    test: str
    message: str
    keys: tuple[str, ...]
    students: tuple[str, ...]

    @property
    def count(self) -> int:
        """How many submissions are in the group."""
        return len(self.keys)


def common_mistakes(results: list[SubmissionResult]) -> dict[str, list[MistakeGroup]]:
    """Per question (in natural order), its failed checks grouped by check and message.

    Groups are sorted largest first, then by the check's order in the results; a group's
    submissions keep the batch's order. A check that lost no points is not a mistake.
    """
    members: dict[tuple[str, str, str, str], list[SubmissionResult]] = defaultdict(list)
    order: dict[str, int] = {}
    for result in results:
        for test in result.tests:
            order.setdefault(test.check_id, len(order))
            if test.score < test.points:
                members[(test.question, test.check_id, test.name, test.message.strip())].append(result)
    by_question: dict[str, list[MistakeGroup]] = defaultdict(list)
    for (question, check_id, name, message), failed in members.items():
        by_question[question].append(MistakeGroup(question, check_id, name, message,
                                                  tuple(r.key for r in failed), tuple(r.student for r in failed)))
    return {
        q: sorted(groups, key=lambda g: (-g.count, order[g.check_id], g.message))
        for q, groups in sorted(by_question.items(), key=lambda item: question_order(item[0]))
    }

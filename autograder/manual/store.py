"""``manual.json``: the scores TAs enter, saved atomically the moment each one is entered.

Every entry (one written answer of one submission, or one override of one autograded test)
carries a revision. A save names the revision it was based on; if the file holds another one
(a second tab, a second TA) the save is refused with the current entry, so nobody's score is
overwritten silently. Each save re-reads the file under an exclusive lock (``manual.json.lock``)
and replaces it atomically: a crash or Ctrl-C leaves the file as it was before or after one save.

Written scores remember a hash of the answer they were given for, overrides the hash of the
submission: after ``grade`` runs again, an entry whose answer (or notebook) changed is flagged
for review instead of counted.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from autograder.files import atomic_write_text
from autograder.manual.rubric import WrittenRubric

MANUAL_NAME = "manual.json"
MAX_COMMENT_CHARS = 5000
MAX_REASON_CHARS = 1000
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
"""A number as a TA types one (ASCII digits, ``.`` or ``,``); ``float()`` alone also takes ``1_0`` and ``inf``."""


class ManualInputError(ValueError):
    """What a TA entered cannot be saved (the message says why, for the page)."""


class ConflictError(RuntimeError):
    """The entry changed since the page was loaded (another tab or TA); ``current`` is what is stored."""

    def __init__(self, message: str, current: dict[str, Any] | None) -> None:
        super().__init__(message)
        self.current = current


def answer_hash(text: str) -> str:
    """What identifies an answer: its text, whitespace at the ends ignored."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def parse_points(value: Any, what: str) -> float:
    """A number typed by a TA (a JSON number or a string of one, with ``.`` or ``,``), finite."""
    if isinstance(value, str):
        if not _NUMBER.fullmatch(value.strip()):
            raise ManualInputError(f"{what} must be a number, not {value.strip()[:40]!r}")
        value = float(value.strip().replace(",", "."))
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ManualInputError(f"{what} must be a number")
    return round(float(value), 4)


@dataclass
class WrittenScore:
    """A TA's grading of one written answer."""

    items: list[str]
    adjust: float = 0.0
    comment: str = ""
    answer_sha: str = ""
    revision: int = 1
    saved_at: float = 0.0
    rubric: str = ""
    """The fingerprint of the question's rubric the score was given with."""

    def score(self, rubric: WrittenRubric) -> float:
        return round(sum(i.points for i in rubric.items if i.id in self.items) + self.adjust, 4)


@dataclass
class Override:
    """A TA's replacement of one autograded test's points, with the reason students see."""

    points: float
    reason: str
    content_hash: str = ""
    revision: int = 1
    saved_at: float = 0.0


@dataclass
class ManualData:
    """Everything in ``manual.json``, by submission key."""

    written: dict[str, dict[str, WrittenScore]] = field(default_factory=dict)
    overrides: dict[str, dict[str, Override]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ManualData:
        return cls(
            written={k: {q: WrittenScore(**v) for q, v in qs.items()} for k, qs in data.get("written", {}).items()},
            overrides={k: {c: Override(**v) for c, v in cs.items()} for k, cs in data.get("overrides", {}).items()},
        )

    def to_dict(self) -> dict[str, Any]:
        return {"version": 1,
                "written": {k: {q: asdict(v) for q, v in qs.items()} for k, qs in sorted(self.written.items())},
                "overrides": {k: {c: asdict(v) for c, v in cs.items()} for k, cs in sorted(self.overrides.items())}}


def _override(points: Any, reason: Any, max_points: float, content_hash: str) -> Override:
    """A checked override of one test worth ``max_points``."""
    value = parse_points(points, "the points")
    if not 0 <= value <= max_points:
        raise ManualInputError(f"{value:g} points is outside 0 to {max_points:g} for this test")
    reason = "" if reason is None else str(reason).strip()
    if not reason:
        raise ManualInputError("an override needs a reason (students see it)")
    if len(reason) > MAX_REASON_CHARS:
        raise ManualInputError(f"the reason is longer than {MAX_REASON_CHARS} characters")
    return Override(value, reason, content_hash)


def group_state(data: ManualData, members: list[tuple[str, str]], check_id: str) -> str:
    """What a group's override is based on: who is in it, their notebooks and their overrides of the check.

    The mistakes page carries it; a group save made from a page whose state is not the current
    one is refused, as a single override based on an old revision is.
    """
    seen = [(key, content_hash, getattr(data.overrides.get(key, {}).get(check_id), "revision", 0))
            for key, content_hash in sorted(members)]
    return hashlib.sha256(json.dumps([check_id, seen]).encode("utf-8")).hexdigest()[:32]


def _check_revision(stored: Any, revision: Any, what: str) -> int:
    seen = int(parse_points(revision if revision not in (None, "") else 0, "revision"))
    current = stored.revision if stored is not None else 0
    if seen != current:
        raise ConflictError(f"{what} was changed elsewhere (another tab or TA) since this page was loaded: "
                            "reload to see it, then enter yours again", asdict(stored) if stored else None)
    return current + 1


class ManualStore:
    """``manual.json`` in a grading output folder.

    Args:
        out: the output folder of ``autograder grade``.
    """

    def __init__(self, out: Path) -> None:
        self.path = out / MANUAL_NAME
        self._lock_path = out / (MANUAL_NAME + ".lock")
        self._thread_lock = threading.Lock()

    def load(self) -> ManualData:
        """What is saved (nothing yet: empty).

        Raises:
            ManualInputError: if the file is not what this module writes (named in the message).
        """
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ManualData()
        try:
            return ManualData.from_dict(json.loads(text))
        except (ValueError, TypeError, AttributeError) as exc:
            raise ManualInputError(f"{self.path}: not a manual-scores file this grader wrote ({exc})") from exc

    def _update(self, change: Callable[[ManualData], Any]) -> Any:
        with self._thread_lock, open(self._lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = self.load()
            value = change(data)
            atomic_write_text(self.path, json.dumps(data.to_dict(), indent=1, sort_keys=True) + "\n")
            return value

    def save_written(self, key: str, rubric: WrittenRubric, *, items: Any, adjust: Any, comment: Any,
                     answer: str, revision: Any) -> WrittenScore:
        """Save a written answer's grading.

        Raises:
            ManualInputError: an unknown item, a non-number, a score outside 0..points, a long comment.
            ConflictError: the entry is not at ``revision`` any more.
        """
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ManualInputError("items must be a list of rubric item ids")
        unknown = [i for i in items if rubric.item(i) is None]
        if unknown:
            raise ManualInputError(f"{rubric.question} has no rubric item {unknown[0]!r}")
        comment = "" if comment is None else str(comment)
        if len(comment) > MAX_COMMENT_CHARS:
            raise ManualInputError(f"the comment is longer than {MAX_COMMENT_CHARS} characters")
        adjustment = 0.0 if adjust in ("", None) else parse_points(adjust, "the adjustment")
        entry = WrittenScore(sorted(set(items)), adjustment, comment, answer_hash(answer), rubric=rubric.fingerprint)
        score = entry.score(rubric)
        if score > rubric.points:
            raise ManualInputError(f"{score:g} points is above the maximum of {rubric.points:g} for {rubric.question}")
        if score < 0:
            raise ManualInputError(f"{score:g} points is below 0 for {rubric.question}")

        def change(data: ManualData) -> WrittenScore:
            stored = data.written.get(key, {}).get(rubric.question)
            entry.revision = _check_revision(stored, revision, f"{key}'s {rubric.question}")
            entry.saved_at = time.time()
            data.written.setdefault(key, {})[rubric.question] = entry
            return entry

        return self._update(change)

    def save_override(self, key: str, check_id: str, *, points: Any, reason: Any, max_points: float,
                      content_hash: str, revision: Any) -> Override | None:
        """Save (or, with ``points`` empty, remove) an override of one autograded test.

        Raises:
            ManualInputError: a non-number, points outside 0..max, no reason.
            ConflictError: the entry is not at ``revision`` any more.
        """
        entry = None if points in (None, "") else _override(points, reason, max_points, content_hash)

        def change(data: ManualData) -> Override | None:
            stored = data.overrides.get(key, {}).get(check_id)
            next_revision = _check_revision(stored, revision, f"the override of {key}'s {check_id}")
            if entry is None:
                data.overrides.get(key, {}).pop(check_id, None)
                return None
            entry.revision, entry.saved_at = next_revision, time.time()
            data.overrides.setdefault(key, {})[check_id] = entry
            return entry

        return self._update(change)

    def save_group_override(self, members: list[tuple[str, str]], check_id: str, *, points: Any, reason: Any,
                            max_points: float, state: Any) -> str:
        """Give one override (the same points and reason) to one test of several submissions, in one write.

        Args:
            members: (submission key, content hash of its notebook) of each submission.
            state: the group's :func:`group_state` when the page was loaded; the save is refused if
                it is not the state now (a member's override or notebook changed, or who is in the group).

        Returns:
            The group's new state (each member's override is saved; one already there is replaced,
            its revision bumped), for a further save from the same page.

        Raises:
            ManualInputError: no points, a non-number, points outside 0..max, no reason.
            ConflictError: the group is not in ``state`` any more.
        """
        if points in (None, ""):
            raise ManualInputError("enter the points to give every submission of the group")
        template = _override(points, reason, max_points, "")

        def change(data: ManualData) -> str:
            if not isinstance(state, str) or not hmac.compare_digest(state, group_state(data, members, check_id)):
                raise ConflictError("this group or an override in it was changed elsewhere (another tab or TA, or a "
                                    "new grade run) since this page was loaded: reload to see it, then save again",
                                    None)
            now = time.time()
            for key, content_hash in members:
                stored = data.overrides.get(key, {}).get(check_id)
                data.overrides.setdefault(key, {})[check_id] = Override(
                    template.points, template.reason, content_hash, (stored.revision if stored else 0) + 1, now)
            return group_state(data, members, check_id)

        return self._update(change)

"""The written answers' rubric: points and the items a TA ticks, read from YAML in the repository."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from autograder import paths

RUBRIC_NAME = "rubric.yaml"


class RubricError(ValueError):
    """The rubric file is missing or malformed (the message names the file and the problem)."""


@dataclass(frozen=True)
class RubricItem:
    """One thing a TA looks for in an answer."""

    id: str
    points: float
    text: str


@dataclass(frozen=True)
class WrittenRubric:
    """One written question: its points and items (the items may add up to more or less)."""

    question: str
    title: str
    points: float
    items: tuple[RubricItem, ...]

    def item(self, item_id: str) -> RubricItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    @property
    def fingerprint(self) -> str:
        """What a score depends on (points and items, not the wording): a change flags saved scores."""
        data = json.dumps([self.points, [(i.id, i.points) for i in self.items]])
        return hashlib.sha256(data.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Rubric:
    """Every written question's rubric, in file order."""

    questions: tuple[WrittenRubric, ...]

    def __getitem__(self, question: str) -> WrittenRubric:
        return next(q for q in self.questions if q.question == question)

    def __contains__(self, question: object) -> bool:
        return any(q.question == question for q in self.questions)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(q.question for q in self.questions)

    @property
    def points(self) -> float:
        return sum(q.points for q in self.questions)


def default_rubric_path() -> Path:
    return paths.in_project("assignment", RUBRIC_NAME)


def rubric_path_for(out: Path) -> Path:
    """The rubric of an output folder: the copy ``review`` keeps there (scores were entered
    against it), else the repository's; with neither, the copy (whose loading names it missing)."""
    copy = out / RUBRIC_NAME
    if copy.exists():
        return copy
    try:
        return default_rubric_path()
    except FileNotFoundError:  # an installed package: no repository
        return copy


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise RubricError(f"{where}: points must be a number of 0 or more, not {value!r}")
    return float(value)


def _question(path: Path, name: str, spec: Any) -> WrittenRubric:
    where = f"{path}: {name}"
    if not isinstance(spec, dict):
        raise RubricError(f"{where}: expected a mapping with points and items")
    items = []
    for n, raw in enumerate(spec.get("items") or [], start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw.get("text"):
            raise RubricError(f"{where}: item {n} needs an id and a text")
        items.append(RubricItem(raw["id"], _number(raw.get("points"), f"{where}, item {raw['id']}"), str(raw["text"])))
    if len({i.id for i in items}) != len(items):
        raise RubricError(f"{where}: two items share an id")
    return WrittenRubric(name, str(spec.get("title", "")), _number(spec.get("points"), where), tuple(items))


def load_rubric(path: Path | None = None, *, questions: tuple[str, ...] | None = None) -> Rubric:
    """Read and check the rubric.

    Args:
        path: the YAML file (default: ``assignment/rubric.yaml`` of the checkout).
        questions: the written questions it must cover (default: the assignment's).

    Raises:
        RubricError: naming the file and the problem.
    """
    from autograder.checks import WRITTEN_QUESTIONS

    path = path or default_rubric_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RubricError(f"{path}: cannot read the rubric ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        raise RubricError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise RubricError(f"{path}: expected one mapping per written question")
    wanted = tuple(questions if questions is not None else WRITTEN_QUESTIONS)
    missing = [q for q in wanted if q not in data]
    if missing:
        raise RubricError(f"{path}: no rubric for {', '.join(missing)}")
    extra = [str(q) for q in data if q not in wanted]
    if extra:
        raise RubricError(f"{path}: {', '.join(extra)} is not a written question of this assignment ({', '.join(wanted)})")
    return Rubric(tuple(_question(path, str(name), spec) for name, spec in data.items()))

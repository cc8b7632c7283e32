"""Manual grading's core: the rubric file, manual.json's saves and conflicts, and final grades."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder.checks.judging import TestResult as CheckResult  # not "Test*": pytest would collect it
from autograder.grading.results import SubmissionResult
from autograder.manual.final import final_grade
from autograder.manual.rubric import RubricError, load_rubric
from autograder.manual.store import ConflictError, ManualInputError, ManualStore
from autograder.reporting.gradebook import gradebook_rows

RUBRIC = """
q1: {title: pooling, points: 2, items: [{id: a, points: 1, text: A}, {id: b, points: 1, text: B}]}
q2: {title: build, points: 1, items: [{id: c, points: 1, text: C}]}
"""


@pytest.fixture
def rubric(tmp_path: Path):
    path = tmp_path / "rubric.yaml"
    path.write_text(RUBRIC)
    return load_rubric(path)


@pytest.fixture
def store(tmp_path: Path) -> ManualStore:
    return ManualStore(tmp_path)


def _result(key: str = "s1", *, written: dict[str, str] | None = None, content_hash: str = "h1") -> SubmissionResult:
    tests = [CheckResult("q1_x", "q1", "q1: x", 1.0, 0.0, False, "wrong"),
             CheckResult("q2_y", "q2", "q2: y", 2.0, 2.0, True, "ok")]
    return SubmissionResult(key, f"/{key}.ipynb", written=written or {"q1": "my answer", "q2": "other"}, tests=tests,
                            content_hash=content_hash)


def test_the_repositorys_rubric_loads():
    rubric = load_rubric()
    assert rubric.names == ("q1", "q2") and all(q.items and q.points > 0 for q in rubric.questions)


@pytest.mark.parametrize(("text", "problem"), [
    ("q1: {points: 2, items: []}\n", "no rubric for q2"),
    (RUBRIC + "q9: {points: 1, items: []}\n", "q9 is not a written question"),
    ("q1: {points: -1, items: []}\nq2: {points: 1, items: []}\n", "points must be a number of 0 or more"),
    ("q1: {points: 1, items: [{id: a, points: 1}]}\nq2: {points: 1, items: []}\n", "item 1 needs an id and a text"),
    ("q1: [unclosed\n", "not valid YAML"),
    ("- a list\n", "one mapping per written question"),
])
def test_a_bad_rubric_is_named_with_its_problem(tmp_path, text, problem):
    path = tmp_path / "rubric.yaml"
    path.write_text(text)
    with pytest.raises(RubricError, match=problem) as info:
        load_rubric(path)
    assert str(path) in str(info.value)


def test_a_save_is_on_disk_at_once_with_its_revision(store, rubric):
    entry = store.save_written("s1", rubric["q1"], items=["a"], adjust="", comment="good", answer="x", revision=0)
    assert entry.revision == 1 and entry.score(rubric["q1"]) == 1.0
    saved = json.loads(store.path.read_text())
    assert saved["written"]["s1"]["q1"]["items"] == ["a"] and saved["written"]["s1"]["q1"]["comment"] == "good"


def test_a_second_tab_cannot_overwrite_silently(store, rubric, tmp_path):
    store.save_written("s1", rubric["q1"], items=["a"], adjust=0, comment="", answer="x", revision=0)
    other_process = ManualStore(tmp_path)  # another server, or another tab's stale revision
    with pytest.raises(ConflictError) as info:
        other_process.save_written("s1", rubric["q1"], items=["b"], adjust=0, comment="", answer="x", revision=0)
    assert info.value.current["items"] == ["a"]
    assert store.load().written["s1"]["q1"].items == ["a"]


@pytest.mark.parametrize(("items", "adjust", "problem"), [
    (["a", "b"], "0.5", "above the maximum of 2"),
    ([], "-1", "below 0"),
    ([], "abc", "must be a number"),
    ([], "nan", "must be a number"),
    (["zz"], "", "no rubric item 'zz'"),
    ("a", "", "must be a list"),
])
def test_bad_written_input_saves_nothing(store, rubric, items, adjust, problem):
    with pytest.raises(ManualInputError, match=problem):
        store.save_written("s1", rubric["q1"], items=items, adjust=adjust, comment="", answer="x", revision=0)
    assert not store.path.exists()


@pytest.mark.parametrize(("points", "reason", "problem"), [
    ("1", "", "needs a reason"),
    ("1", "   ", "needs a reason"),
    ("3", "generous", "outside 0 to 2"),
    ("-1", "harsh", "outside 0 to 2"),
    ("two", "why", "must be a number"),
])
def test_bad_overrides_save_nothing(store, points, reason, problem):
    with pytest.raises(ManualInputError, match=problem):
        store.save_override("s1", "q2_y", points=points, reason=reason, max_points=2.0, content_hash="h1", revision=0)
    assert not store.path.exists()


def test_an_override_counts_and_can_be_removed(store, rubric):
    store.save_override("s1", "q1_x", points="1", reason="right idea", max_points=1.0, content_hash="h1", revision=0)
    grade = final_grade(_result(), store.load(), rubric)
    assert grade.autograded == 3.0 and grade.overrides["q1_x"].reason == "right idea"
    store.save_override("s1", "q1_x", points="", reason="", max_points=1.0, content_hash="h1", revision=1)
    assert final_grade(_result(), store.load(), rubric).autograded == 2.0


def test_final_grade_adds_written_scores(store, rubric):
    store.save_written("s1", rubric["q1"], items=["a", "b"], adjust="-0.5", comment="", answer="my answer", revision=0)
    grade = final_grade(_result(), store.load(), rubric)
    assert grade.written["q1"].score == 1.5 and grade.written["q2"].score is None
    assert (grade.total, grade.max_total) == (3.5, 6.0) and not grade.complete


def test_a_changed_answer_is_flagged_and_not_counted(store, rubric):
    store.save_written("s1", rubric["q1"], items=["a"], adjust=0, comment="", answer="my answer", revision=0)
    grade = final_grade(_result(written={"q1": "a new answer", "q2": "other"}), store.load(), rubric)
    assert grade.written["q1"].stale and grade.written["q1"].score is None
    assert any("answer changed" in f for f in grade.flags)
    same = final_grade(_result(written={"q1": "  my answer\n", "q2": "other"}), store.load(), rubric)
    assert same.written["q1"].score == 1.0  # whitespace at the ends is not a change


def test_an_override_for_an_earlier_notebook_is_flagged_and_not_applied(store, rubric):
    store.save_override("s1", "q1_x", points=1, reason="ok", max_points=1.0, content_hash="h1", revision=0)
    grade = final_grade(_result(content_hash="h2"), store.load(), rubric)
    assert grade.autograded == 2.0 and any("earlier submission" in f for f in grade.flags)


def test_the_gradebook_gains_final_columns(store, rubric):
    store.save_written("s1", rubric["q1"], items=["a"], adjust=0, comment="", answer="my answer", revision=0)
    result = _result()
    (row,) = gradebook_rows([result], {"s1": final_grade(result, store.load(), rubric)})
    assert (row["score"], row["q1_written"], row["q2_written"], row["total"], row["max_total"]) == ("2", "1", "", "3", "6")


def test_a_broken_manual_file_is_named(store):
    store.path.write_text("{not json")
    with pytest.raises(ManualInputError, match="manual.json"):
        store.load()

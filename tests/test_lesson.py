"""Which lesson cells grading leaves out: the handed-out demos, unchanged, that nothing reads later."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from helpers import TEMPLATE, build_submission, solution_answers, write_submission
from shared_batches import HONEST, contribute

from autograder.grading import lesson as lesson_module
from autograder.grading.lesson import KnownLesson, describe_template, usage
from autograder.grading.notebooks import parse_notebook


@pytest.fixture(scope="module")
def lesson() -> KnownLesson:
    return KnownLesson.load(TEMPLATE)


def _cells(nb: nbformat.NotebookNode) -> list[dict]:
    return parse_notebook(nbformat.writes(nb).encode(), "n.ipynb").cells


def _run_sources(lesson: KnownLesson, nb: nbformat.NotebookNode) -> list[str]:
    return [c["source"] for c in lesson.cells_to_run(_cells(nb))]


def _template_source(fragment: str) -> str:
    nb = nbformat.read(TEMPLATE, as_version=4)
    return next(c.source for c in nb.cells if c.cell_type == "code" and fragment in c.source)


def test_the_template_has_demos_and_answer_names(lesson):
    assert len(lesson.demo_cells) >= 10
    assert {"shift_right", "pooling_change", "fraction_unchanged", "LinearWithoutBuild", "resnetBlock", "ActivityL1",
            "train_step"} <= lesson.answer_names


@pytest.mark.parametrize("fragment", [
    "otter.Notebook",            # the set-up cell
    "import tensorflow as tf",   # the imports
    "def shift_right",           # an answer
    'grader.check("q1")',        # a public check
    "pooling_change(pools",      # a demo that calls the student's code is graded behaviour
    "block = resnetBlock(16)",
    "LinearWithoutBuild(units=4, input_dim=2)",
])
def test_cells_that_always_run(lesson, fragment):
    nb = build_submission(solution_answers())
    assert any(fragment in source for source in _run_sources(lesson, nb))


@pytest.mark.parametrize("fragment", ["bn_model = tf.keras.Sequential", "class SparseMLP", "class MLP",
                                      "bn = tf.keras.layers.BatchNormalization()", "class Linear("])
def test_unused_demos_are_left_out(lesson, fragment):
    nb = build_submission(solution_answers())
    assert _template_source(fragment) not in _run_sources(lesson, nb)


@pytest.mark.parametrize(("extra", "fragment"), [
    ("print(bn_model.layers)", "bn_model = tf.keras.Sequential"),     # read at the top level
    ("def f():\n    return SparseMLP()\n", "class SparseMLP"),        # read inside a function
    ("layers = [m for m in (MLP,)]", "class MLP"),                    # read inside a comprehension
    ("total = 0\ntotal += len(A_np)", "A_np = rng.integers"),        # the demo's chain: A_np
    ("class Mine(Linear):\n    pass\n", "class Linear("),            # a base class
])
def test_a_demo_whose_names_a_later_cell_reads_runs(lesson, extra, fragment):
    nb = build_submission(solution_answers(), extra_cells=[extra])
    assert _template_source(fragment) in _run_sources(lesson, nb)


def test_an_answer_that_uses_a_demo_class_keeps_it_and_what_it_needs(lesson):
    answers = solution_answers()
    answers["q4"] += "\n\nclass Helper(ActivityRegularization):\n    pass\n"
    sources = _run_sources(lesson, build_submission(answers))
    assert _template_source("class ActivityRegularization") in sources


@pytest.mark.parametrize("extra", ['print(globals()["bn_model"])', "import sys\nsys.modules['__main__']",
                                   "eval('bn_model')", "def broken(:\n    pass", "get_ipython().user_ns['A']",
                                   "import inspect\ninspect.currentframe().f_globals"])
def test_dynamic_access_or_an_unreadable_later_cell_runs_everything(lesson, extra):
    nb = build_submission(solution_answers(), extra_cells=[extra])
    assert len(_run_sources(lesson, nb)) == len(_cells(nb))


def test_an_edited_demo_runs_as_written(lesson):
    nb = build_submission(solution_answers())
    cell = next(c for c in nb.cells if c.cell_type == "code" and "bn_model = tf.keras.Sequential" in c.source)
    cell.source += "\ntf.keras.config.set_floatx('float64')\n"
    assert cell.source in _run_sources(lesson, nb)


def test_trailing_spaces_do_not_make_a_demo_edited(lesson):
    nb = build_submission(solution_answers())
    cell = next(c for c in nb.cells if c.cell_type == "code" and "bn_model = tf.keras.Sequential" in c.source)
    cell.source = "\n" + cell.source.replace("\n", "   \n") + "\n\n"
    assert cell.source not in _run_sources(lesson, nb)


def test_without_a_template_every_cell_runs(tmp_path):
    lesson = KnownLesson.load(tmp_path / "missing.ipynb")
    nb = build_submission(solution_answers())
    assert len(lesson.cells_to_run(_cells(nb))) == len(_cells(nb))


def test_a_demo_binding_an_answer_name_is_no_demo(tmp_path):
    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_code_cell("def train_step():\n    ...\n")
    answer.metadata["tags"] = ["answer:q4"]
    nb.cells = [answer, nbformat.v4.new_code_cell("train_step = None"), nbformat.v4.new_code_cell("x = train_step")]
    assert describe_template(json.loads(nbformat.writes(nb)))["demo_cells"] == []


@pytest.mark.parametrize(("source", "binds", "reads"), [
    ("x = 1\nprint(x)", {"x"}, {"print"}),
    ("print(x)\nx = 1", {"x"}, {"print", "x"}),
    ("x = x + 1", {"x"}, {"x"}),
    ("for w in ws:\n    v = w\nprint(v)", {"w", "v"}, {"ws", "print", "v"}),
    ("def f(a, b=d):\n    c = a\n    return c + g", {"f"}, {"d", "g"}),
    ("def f():\n    global G\n    G = 1\n    return G", {"f", "G"}, {"G"}),
    ("class C(B):\n    def m(self):\n        return self.k + t", {"C"}, {"B", "t"}),
    ("try:\n    z = 1\nexcept E as e:\n    print(z, e)", {"z", "e"}, {"E", "print", "z"}),
    ("with open(p) as fh:\n    fh.read()", {"fh"}, {"open", "p"}),
    ("y = [q * r for q in s]", {"y"}, {"r", "s"}),
    ("%matplotlib inline\nimport numpy as np", {"np"}, {"get_ipython"}),  # as IPython runs it
])
def test_usage_follows_python_scopes(source, binds, reads):
    found = usage(source)
    assert found is not None
    assert set(found.binds) == binds
    assert set(found.reads) == reads


@contribute("lesson_skipping")
def _skipping_notebooks(folder: Path, answers: dict[str, str]) -> None:
    needs_demo = dict(answers)
    needs_demo["q4"] = answers["q4"] + "\n\n_helper = ActivityRegularization(0.1)\n"
    write_submission(folder / "full.ipynb", build_submission(answers))
    write_submission(folder / "needs_demo.ipynb", build_submission(needs_demo))
    write_submission(folder / "untouched.ipynb", build_submission({}))


@pytest.mark.slow
@HONEST
def test_skipping_changes_no_score(honest_batch):
    """A full solution, one whose answer needs a demo class, and the untouched template grade as
    they would with every cell run (the examples' and the corpus' scores are checked elsewhere)."""
    results = honest_batch["lesson_skipping"]
    assert results["full"].score == results["needs_demo"].score == 18
    assert results["untouched"].score == 0
    assert not results["needs_demo"].cell_errors


def test_a_cell_analysed_once_is_remembered_by_its_source():
    source = "x_remembered = shift_right(y)\n"
    assert lesson_module.usage(source) is lesson_module.usage(source)


def test_a_long_cell_is_analysed_without_being_remembered():
    source = "z = 1\n" + "# filler\n" * (lesson_module.CACHED_CELL_CHARS // 9 + 1)
    before = lesson_module._usage.cache_info().currsize
    assert lesson_module.usage(source).binds == frozenset({"z"})
    assert lesson_module._usage.cache_info().currsize == before

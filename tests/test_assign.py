"""The assign step: master notebook -> student template (``autograder.assign``)."""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from notebook_runs import NOTEBOOK_TIME_LIMIT_S, execute, output_text

from autograder.assign import AssignError, AssignResult, main, read_master

ROOT = Path(__file__).resolve().parents[1]
MASTER = ROOT / "assignment" / "pooling_norms_layers.ipynb"
pytestmark = pytest.mark.xdist_group("assign_build")  # one Otter Assign build, in one worker
TEMPLATE_DIR = ROOT / "student_template"
QUESTIONS = ("q1", "q2", "q3", "q4")
WRITTEN = ("q1", "q2")

# docs/DESIGN.md, "The hidden checks": one hidden test cell per check id, with these points.
HIDDEN_CHECKS = {
    "q1_shift_shape_dtype": 1,
    "q1_shift_values": 1,
    "q1_pooling_change": 1,
    "q1_fraction_unchanged": 1,
    "q1_finding": 1,
    "q2_weights_at_construction": 1,
    "q2_weights_tracked": 1,
    "q2_call": 1,
    "q3_is_custom_layer": 1,
    "q3_output_shapes": 1,
    "q3_weight_counts": 1,
    "q3_numerics_inference": 1,
    "q3_numerics_training": 1,
    "q4_activity_identity": 1,
    "q4_activity_loss": 1,
    "q4_losses_reset": 1,
    "q4_train_step_value": 1,
    "q4_train_step_update": 1,
}
QUESTION_POINTS = {"q1": 5, "q2": 3, "q3": 5, "q4": 5}

# Code that only a solution contains, per question (none of it may reach an answer cell).
SOLUTION_SNIPPETS = {
    "q1": ("tf.pad", "tf.equal", "reduce_mean"),
    "q2": ("add_weight(", "matmul"),
    "q3": ("Conv2D(", "BatchNormalization(", "tf.nn.relu"),
    "q4": ("add_loss(", "GradientTape", "apply_gradients"),
}



@dataclass(frozen=True)
class Build:
    result: AssignResult
    otter_dir: Path


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """One fresh build of the real master, with Otter's raw output kept."""
    out = tmp_path_factory.mktemp("template")
    otter_dir = tmp_path_factory.mktemp("otter") / "raw"
    return Build(main(master=MASTER, output=out, otter_output=otter_dir), otter_dir)


@pytest.fixture(scope="module")
def template(build: Build) -> nbformat.NotebookNode:
    return nbformat.read(str(build.result.notebook), as_version=4)


@pytest.fixture(scope="module")
def master_nb() -> nbformat.NotebookNode:
    return nbformat.read(str(MASTER), as_version=4)


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _tagged(nb: nbformat.NotebookNode, tag: str) -> list[int]:
    return [i for i, cell in enumerate(nb.cells) if tag in _tags(cell)]


# ------------------------------------------------------------------ determinism


def test_rebuild_is_byte_identical(build: Build, tmp_path: Path) -> None:
    again = main(master=MASTER, output=tmp_path)
    assert again.notebook.read_bytes() == build.result.notebook.read_bytes()
    assert again.tests_dir is None and build.result.tests_dir is None


def test_committed_template_equals_fresh_build(build: Build) -> None:
    committed = TEMPLATE_DIR / MASTER.name
    assert committed.is_file(), "student_template/ is missing: run `python -m autograder.assign`"
    assert committed.read_bytes() == build.result.notebook.read_bytes(), (
        "student_template/ is stale: rebuild it with `python -m autograder.assign`"
    )
    assert (TEMPLATE_DIR / "tests").exists() == (build.result.tests_dir is not None)


def test_template_has_no_outputs_and_numbered_ids(template: nbformat.NotebookNode) -> None:
    for index, cell in enumerate(template.cells):
        assert cell.id == f"cell-{index:03d}"
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert set(template.metadata) == {"kernelspec", "language_info", "otter"}


# ------------------------------------------------------------------ tags and stubs


@pytest.mark.parametrize("question", QUESTIONS)
def test_answer_cell_holds_the_stub_then_check(template: nbformat.NotebookNode, question: str) -> None:
    indices = _tagged(template, f"answer:{question}")
    assert indices, f"no answer:{question} cell"
    first = template.cells[indices[0]]
    assert first.cell_type == "code" and "..." in first.source
    following = next(c for c in template.cells[indices[-1] + 1 :] if c.cell_type == "code")
    assert following.source == f'grader.check("{question}")'


@pytest.mark.parametrize("question", WRITTEN)
def test_written_answer_cell_is_tagged(template: nbformat.NotebookNode, question: str) -> None:
    indices = _tagged(template, f"written:{question}")
    assert len(indices) == 1
    cell = template.cells[indices[0]]
    assert cell.cell_type == "markdown"
    assert "Type your answer here" in cell.source


def test_only_contract_tags_are_answer_and_written(template: nbformat.NotebookNode) -> None:
    ours = {t for cell in template.cells for t in _tags(cell) if t.startswith(("answer:", "written:"))}
    assert ours == {f"answer:{q}" for q in QUESTIONS} | {f"written:{q}" for q in WRITTEN}


@pytest.mark.parametrize("question", QUESTIONS)
def test_answer_cells_hold_no_solution(template: nbformat.NotebookNode, question: str) -> None:
    for index in _tagged(template, f"answer:{question}"):
        source = template.cells[index].source
        for snippet in SOLUTION_SNIPPETS[question]:
            assert snippet not in source, f"solution code {snippet!r} leaked into the {question} stub"


def test_template_holds_no_solution_or_hidden_test_text(template: nbformat.NotebookNode) -> None:
    text = nbformat.writes(template)
    for leak in (
        "BEGIN SOLUTION",
        "END SOLUTION",
        "# BEGIN QUESTION",
        "TEST CONFIG",
        "Sample answer",
        "otter_hidden_checks",
        "hidden=True",
    ):
        assert leak not in text, f"{leak!r} found in the student template"


def test_only_public_tests_reach_students(build: Build, template: nbformat.NotebookNode) -> None:
    tests = template.metadata["otter"]["tests"]
    assert sorted(tests) == list(QUESTIONS)
    for question, source in tests.items():
        assert re.findall(r"hidden=(\w+)", source) and set(re.findall(r"hidden=(\w+)", source)) == {"False"}
        assert f"def test_{question}_public_" in source
    # tests: files: false -> the public tests live in the notebook, no tests/ folder
    assert build.result.tests_dir is None
    assert not (build.result.notebook.parent / "tests").exists()


def _hidden_tests(otter_dir: Path) -> dict[str, tuple[str, int]]:
    ag = nbformat.read(str(otter_dir / "autograder" / MASTER.name), as_version=4)
    found = {}
    for question, source in ag.metadata["otter"]["tests"].items():
        for points, check_id in re.findall(r"@test_case\(points=(\d+), hidden=True\)\ndef test_(\w+)\(env\):", source):
            assert f"run_check('{check_id}', env)" in source
            found[check_id] = (question, int(points))
    return found


def test_autograder_has_one_hidden_test_per_check(build: Build) -> None:
    found = _hidden_tests(build.otter_dir)
    assert {k: p for k, (_, p) in found.items()} == HIDDEN_CHECKS
    assert all(check_id.startswith(question + "_") for check_id, (question, _) in found.items())
    totals = {q: sum(p for _, (qq, p) in found.items() if qq == q) for q in QUESTIONS}
    assert totals == QUESTION_POINTS


def test_hidden_tests_match_the_check_registry() -> None:
    from autograder.checks import ALL_CHECKS

    _, layout = read_master(MASTER)
    in_master = {t.function.removeprefix("test_"): t.points for q in layout.questions for t in q.tests if t.hidden}
    assert in_master == {c.id: float(c.points) for c in ALL_CHECKS}


def test_fenced_otter_cells_are_read_as_otter_reads_them(master_nb: nbformat.NotebookNode) -> None:
    """Otter accepts block boundaries as ```otter Markdown cells: so does the validator (it uses Otter's parser)."""
    from autograder.assign import validate_master

    fenced = copy.deepcopy(master_nb)
    for i, cell in enumerate(fenced.cells):
        if cell.cell_type == "raw":
            fenced.cells[i] = nbformat.v4.new_markdown_cell("```otter\n" + cell.source + "\n```")
    original = validate_master(master_nb)
    assert validate_master(fenced).questions == original.questions


def test_public_tests_are_worth_nothing() -> None:
    _, layout = read_master(MASTER)
    public = [t for q in layout.autograded for t in q.tests if not t.hidden]
    assert {t.function.split("_public_")[0] for t in public} == {f"test_{q}" for q in QUESTIONS}
    assert all(t.points == 0 for t in public)


def test_build_leaves_the_master_folder_alone(tmp_path: Path) -> None:
    source_dir = tmp_path / "assignment"
    source_dir.mkdir()
    shutil.copy(MASTER, source_dir / MASTER.name)
    main(master=source_dir / MASTER.name, output=tmp_path / "out")
    assert [p.name for p in source_dir.iterdir()] == [MASTER.name]


# ------------------------------------------------------------------ malformed masters

Mutation = Callable[[nbformat.NotebookNode], tuple[int, str]]


def _find(nb: nbformat.NotebookNode, predicate: Callable[[nbformat.NotebookNode], bool], start: int = 0) -> int:
    return next(i for i in range(start, len(nb.cells)) if predicate(nb.cells[i]))


def _raw(nb: nbformat.NotebookNode, first_line: str, start: int = 0) -> int:
    return _find(nb, lambda c: c.cell_type == "raw" and c.source.split("\n")[0].strip() == first_line, start)


def _begin(nb: nbformat.NotebookNode, name: str) -> int:
    return _find(
        nb,
        lambda c: (
            c.cell_type == "raw" and c.source.startswith("# BEGIN QUESTION") and f"name: {name}\n" in c.source + "\n"
        ),
    )


def _answer(nb: nbformat.NotebookNode, question: str) -> int:
    return _find(nb, lambda c: f"answer:{question}" in _tags(c))


def _tests_of(nb: nbformat.NotebookNode, question: str) -> list[int]:
    start = _raw(nb, "# BEGIN TESTS", _begin(nb, question))
    end = _raw(nb, "# END TESTS", start)
    return list(range(start + 1, end))


def _end_question_missing(nb: nbformat.NotebookNode) -> tuple[int, str]:
    del nb.cells[_raw(nb, "# END QUESTION", _begin(nb, "q1"))]
    return _begin(nb, "q1w"), "BEGIN QUESTION inside question q1"


def _last_end_question_missing(nb: nbformat.NotebookNode) -> tuple[int, str]:
    del nb.cells[_raw(nb, "# END QUESTION", _begin(nb, "q4"))]
    return _begin(nb, "q4"), "BEGIN QUESTION (q4) has no matching END QUESTION"


def _name_missing(nb: nbformat.NotebookNode) -> tuple[int, str]:
    index = _begin(nb, "q2")
    nb.cells[index].source = "# BEGIN QUESTION\npoints: 3"
    return index, "no 'name'"


def _bad_question_yaml(nb: nbformat.NotebookNode) -> tuple[int, str]:
    index = _begin(nb, "q3")
    nb.cells[index].source = "# BEGIN QUESTION\nname: [q3"
    return index, "not valid YAML"


def _no_answer_cell(nb: nbformat.NotebookNode) -> tuple[int, str]:
    begin = _begin(nb, "q3")
    start = _raw(nb, "# BEGIN SOLUTION", begin)
    end = _raw(nb, "# END SOLUTION", start)
    del nb.cells[start : end + 1]
    return begin, "question q3 has no answer cell"


def _answer_tag_missing(nb: nbformat.NotebookNode) -> tuple[int, str]:
    index = _answer(nb, "q4")
    nb.cells[index].metadata["tags"] = []
    return index, "missing its metadata tag 'answer:q4'"


def _answer_outside_solution(nb: nbformat.NotebookNode) -> tuple[int, str]:
    answer = _answer(nb, "q1")
    del nb.cells[_raw(nb, "# BEGIN SOLUTION", _begin(nb, "q1"))]
    return answer - 1, "tagged 'answer:q1' but is not a code cell inside the SOLUTION block"


def _stray_answer_tag(nb: nbformat.NotebookNode) -> tuple[int, str]:
    index = _find(nb, lambda c: c.cell_type == "code" and "LinearWithoutBuild(units=4, input_dim=2)" in c.source)
    nb.cells[index].metadata["tags"] = ["answer:q2"]
    return index, "tagged 'answer:q2' but is not a code cell inside the SOLUTION block"


def _solution_marker_unclosed(nb: nbformat.NotebookNode) -> tuple[int, str]:
    index = _answer(nb, "q2")
    lines = nb.cells[index].source.split("\n")
    last_end = max(i for i, line in enumerate(lines) if line.strip() == "# END SOLUTION")
    nb.cells[index].source = "\n".join(lines[:last_end] + lines[last_end + 1 :])
    return index, "'# BEGIN SOLUTION' without '# END SOLUTION'"


def _test_config_unclosed(nb: nbformat.NotebookNode) -> tuple[int, str]:
    index = next(i for i in _tests_of(nb, "q3") if "hidden: true" in nb.cells[i].source)
    nb.cells[index].source = nb.cells[index].source.replace('""" # END TEST CONFIG', '"""')
    return index, "TEST CONFIG block is not closed"


def _public_test_with_points(nb: nbformat.NotebookNode) -> tuple[int, str]:
    index = next(i for i in _tests_of(nb, "q2") if "_public_" in nb.cells[i].source)
    nb.cells[index].source = nb.cells[index].source.replace("points: 0", "points: 1")
    return index, "must declare 'points: 0'"


def _test_cell_not_one_function(nb: nbformat.NotebookNode) -> tuple[int, str]:
    index = _tests_of(nb, "q1")[0]
    nb.cells[index].source += "\nprint('a')\nprint('b')"
    return index, "one test function"


def _boundary_in_markdown(nb: nbformat.NotebookNode) -> tuple[int, str]:
    index = _raw(nb, "# END QUESTION", _begin(nb, "q2"))
    nb.cells[index] = nbformat.v4.new_markdown_cell(nb.cells[index].source)
    return index, "is in a Markdown cell"


def _manual_question_misnamed(nb: nbformat.NotebookNode) -> tuple[int, str]:
    index = _begin(nb, "q2w")
    nb.cells[index].source = "# BEGIN QUESTION\nname: explain\nmanual: true"
    return index, "named after the question it belongs to"


def _end_tests_without_begin(nb: nbformat.NotebookNode) -> tuple[int, str]:
    begin_tests = _raw(nb, "# BEGIN TESTS", _begin(nb, "q4"))
    end_tests = _raw(nb, "# END TESTS", begin_tests)
    del nb.cells[begin_tests:end_tests]  # the test cells and their BEGIN go, the END stays
    return begin_tests, "END TESTS without a matching BEGIN TESTS"


MALFORMED: dict[str, Mutation] = {
    "END QUESTION missing": _end_question_missing,
    "last END QUESTION missing": _last_end_question_missing,
    "question name missing": _name_missing,
    "question config bad YAML": _bad_question_yaml,
    "question without answer cell": _no_answer_cell,
    "answer cell without answer tag": _answer_tag_missing,
    "answer cell outside SOLUTION": _answer_outside_solution,
    "answer tag on a demo cell": _stray_answer_tag,
    "BEGIN SOLUTION line unclosed": _solution_marker_unclosed,
    "TEST CONFIG unclosed": _test_config_unclosed,
    "public test with points": _public_test_with_points,
    "test cell with extra statements": _test_cell_not_one_function,
    "boundary in a Markdown cell": _boundary_in_markdown,
    "manual question misnamed": _manual_question_misnamed,
    "END TESTS without BEGIN TESTS": _end_tests_without_begin,
}


@pytest.mark.parametrize("mutate", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_master_raises_assign_error_naming_the_cell(
    master_nb: nbformat.NotebookNode, tmp_path: Path, mutate: Mutation
) -> None:
    nb = copy.deepcopy(master_nb)
    cell_index, problem = mutate(nb)
    path = tmp_path / MASTER.name
    nbformat.write(nb, str(path))
    with pytest.raises(AssignError) as caught:
        main(master=path, output=tmp_path / "out")
    assert caught.value.cell_index == cell_index, str(caught.value)
    assert f"cell {cell_index}:" in str(caught.value)
    assert problem in str(caught.value)
    assert not (tmp_path / "out").exists(), "a failed build must not write a template"


def test_otter_failure_becomes_assign_error(master_nb: nbformat.NotebookNode, tmp_path: Path) -> None:
    nb = copy.deepcopy(master_nb)
    nb.cells[0].source += "\nnmae: typo"  # passes our checks; Otter rejects the unknown key
    path = tmp_path / MASTER.name
    nbformat.write(nb, str(path))
    with pytest.raises(AssignError) as caught:
        main(master=path, output=tmp_path / "out")
    assert "otter assign failed" in str(caught.value) and "nmae" in str(caught.value)
    assert caught.value.cell_index == 0


def test_unreadable_master_raises_assign_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_text("{ not json", encoding="utf-8")
    with pytest.raises(AssignError, match="not a readable notebook"):
        main(master=path, output=tmp_path / "out")


# ------------------------------------------------------------------ running the notebooks


@pytest.mark.slow
def test_untouched_template_runs_top_to_bottom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(TEMPLATE_DIR / MASTER.name, tmp_path / MASTER.name)
    nb, elapsed = execute(nbformat.read(str(tmp_path / MASTER.name), as_version=4), tmp_path, monkeypatch)
    assert elapsed < NOTEBOOK_TIME_LIMIT_S
    text = {i: output_text(c) for i, c in enumerate(nb.cells)}
    for question in QUESTIONS:
        check = next(i for i, c in enumerate(nb.cells) if c.source == f'grader.check("{question}")')
        assert "❌" in text[check], f"grader.check({question!r}) should report failing public tests on the stub"
    everything = "\n".join(text.values())
    assert "using scikit-learn's digits instead" in everything
    assert "fill in Question 4" in everything


PUBLIC_TEST_RUNNER = """
import inspect


def _run_public_test(source, name):
    namespace = {}
    exec(compile(source, name, "exec"), namespace)
    test = namespace[name]
    test(**{p: (globals() if p == "env" else globals()[p]) for p in inspect.signature(test).parameters})
    print("passed", name)
"""

REFERENCE_EQUIVALENCE = """
import reference

check_rng = np.random.default_rng(123)

# q1
x_check = check_rng.integers(0, 9, size=(3, 6, 8, 2)).astype("float32")
for pixels in (0, 1, 3):
    np.testing.assert_array_equal(shift_right(x_check, pixels).numpy(), reference.shift_right(x_check, pixels).numpy())
for pool in (tf.keras.layers.MaxPooling2D((2, 2)), tf.keras.layers.AveragePooling2D((2, 2)),
             tf.keras.layers.MaxPooling2D((3, 3), strides=1)):
    for pixels in (1, 2):
        for fn, ref_fn in ((pooling_change, reference.pooling_change),
                           (fraction_unchanged, reference.fraction_unchanged)):
            got, want = fn(pool, x_check, pixels), ref_fn(pool, x_check, pixels)
            assert isinstance(got, float) and abs(got - want) <= 1e-9 * max(1.0, abs(want)), (fn.__name__, got, want)

# q2
mine, ref = LinearWithoutBuild(units=3, input_dim=5), reference.LinearWithoutBuild(units=3, input_dim=5)
assert [tuple(w.shape) for w in mine.weights] == [tuple(w.shape) for w in ref.weights]
ref.set_weights(mine.get_weights())
x_check = check_rng.normal(size=(4, 5)).astype("float32")
np.testing.assert_allclose(mine(x_check).numpy(), ref(x_check).numpy(), rtol=1e-6)

# q3: 1x1 projection (3 -> 8 channels) and identity shortcut (8 -> 8)
for c_in in (3, 8):
    mine, ref = resnetBlock(8), reference.resnetBlock(8)
    x_check = check_rng.normal(size=(2, 6, 5, c_in)).astype("float32")
    mine(x_check), ref(x_check)
    assert [tuple(w.shape) for w in mine.trainable_weights] == [tuple(w.shape) for w in ref.trainable_weights]
    assert [tuple(w.shape) for w in mine.non_trainable_weights] == [tuple(w.shape) for w in ref.non_trainable_weights]
    ref.set_weights(mine.get_weights())
    for training in (False, True):
        np.testing.assert_allclose(mine(x_check, training=training).numpy(), ref(x_check, training=training).numpy(),
                                   rtol=1e-5, atol=1e-5)

# q4
x_check = check_rng.normal(size=(5, 4)).astype("float32")
mine, ref = ActivityL1(0.3), reference.ActivityL1(0.3)
np.testing.assert_array_equal(mine(x_check).numpy(), x_check)
ref(x_check)
np.testing.assert_allclose(float(mine.losses[0]), float(ref.losses[0]), rtol=1e-6)


def make_model(activity):
    return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3), activity])


mine, ref = make_model(ActivityL1(0.05)), make_model(reference.ActivityL1(0.05))
ref.set_weights(mine.get_weights())
y_check = np.array([0, 1, 2, 0, 1])
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
for _ in range(2):
    got = train_step(mine, tf.keras.optimizers.SGD(0.1), loss_fn, x_check, y_check)
    want = reference.train_step(ref, tf.keras.optimizers.SGD(0.1), loss_fn, x_check, y_check)
    assert isinstance(got, float) and abs(got - want) < 1e-6, (got, want)
for a, b in zip(mine.get_weights(), ref.get_weights(), strict=True):
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
print("REFERENCE EQUIVALENCE OK")
"""


def _public_test_cells() -> list[str]:
    nb, layout = read_master(MASTER)
    cells = [PUBLIC_TEST_RUNNER]
    for question in layout.autograded:
        for test in question.tests:
            if test.hidden:
                continue
            lines = nb.cells[test.index].source.split("\n")
            end = next(i for i, line in enumerate(lines) if "END TEST CONFIG" in line)
            body = "\n".join(lines[end + 1 :])
            cells.append(f"_run_public_test({body!r}, {test.function!r})")
    return cells


@pytest.mark.slow
def test_master_runs_passes_public_tests_and_matches_reference(
    master_nb: nbformat.NotebookNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nb = copy.deepcopy(master_nb)
    extra = [*_public_test_cells(), REFERENCE_EQUIVALENCE]
    nb.cells.extend(nbformat.v4.new_code_cell(source) for source in extra)
    nb, elapsed = execute(nb, tmp_path, monkeypatch)
    assert elapsed < NOTEBOOK_TIME_LIMIT_S
    everything = "\n".join(output_text(c) for c in nb.cells)
    assert everything.count("passed test_q") == len(_public_test_cells()) - 1
    assert "REFERENCE EQUIVALENCE OK" in everything
    assert "accuracy on the 300 held-out images" in everything


@pytest.mark.parametrize(
    ("stderr", "problem", "cell_index"),
    [
        (
            'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\n'
            "otter.assign.utils.AssignNotebookFormatException: Found a non-code cell in tests block "
            "(question q1, cell number 5)\n",
            "AssignNotebookFormatException: Found a non-code cell in tests block (question q1, cell number 5)",
            4,
        ),
        (
            "Traceback (most recent call last):\nyaml.scanner.ScannerError: while scanning a quoted scalar\n"
            '  in "<unicode string>", line 3, column 3:\n',
            'ScannerError: while scanning a quoted scalar in "<unicode string>", line 3, column 3:',
            None,
        ),
        ("Killed\n", "Killed", None),
    ],
)
def test_otter_tracebacks_are_summarized(stderr: str, problem: str, cell_index: int | None) -> None:
    from autograder.assign.otter_assign import describe_otter_failure

    assert describe_otter_failure(stderr) == (problem, cell_index)

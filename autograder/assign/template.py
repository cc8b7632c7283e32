"""Turning Otter's student notebook into our deterministic student template.

Otter's student notebook is almost the template. This module

- tags the written-answer cells: Otter replaces a manual question's answer with its own
  placeholder Markdown cell (tagged ``otter_answer_cell``) and drops the master's tags,
  so the placeholder is tagged ``written:qN`` here;
- checks that every autograded question kept its ``answer:qN`` cell with a ``...`` stub,
  that no solution marker survived, and that no hidden test reached the student side;
- replaces Otter's ``grader = otter.Notebook("name.ipynb")`` cell with a setup cell that
  works in Jupyter, JupyterLab, VS Code and Colab, under any file name: it installs the
  pinned Otter where it is missing (Colab), writes the public tests to ``./tests`` (Otter
  refuses tests kept in the notebook's metadata on Colab, where the notebook file is not
  in the working directory) and passes Otter the notebook's path only when it can find it;
- strips outputs and execution counts, keeps only the cell metadata students need
  (``tags``, ``editable``, ``deletable``, ``otter``), numbers the cell ids and trims the
  notebook metadata, so that a rebuild is byte-identical.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

import nbformat

from autograder.assign.errors import AssignError
from autograder.assign.master import MasterLayout, Question

OTTER_ANSWER_TAG = "otter_answer_cell"
"""The tag Otter puts on answer cells (code answers and written-answer placeholders)."""

_KEPT_CELL_METADATA = ("deletable", "editable", "otter", "tags")
_EXPORT_COMMENT_RE = re.compile(r"<!--\s*(BEGIN|END)\s+QUESTION\s*-->")
_SOLUTION_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "# SOLUTION")
_HIDDEN_TEST_RE = re.compile(r"hidden\s*=\s*True")


def build_template(otter_nb: nbformat.NotebookNode, layout: MasterLayout, *, notebook: str) -> nbformat.NotebookNode:
    """Post-processes Otter's student notebook into the student template.

    Args:
        otter_nb: the notebook Otter wrote to ``student/``.
        layout: the validated master's layout.
        notebook: the notebook's file name, for error messages.

    Returns:
        A new notebook; ``otter_nb`` is not changed.

    Raises:
        AssignError: if Otter's output breaks a convention (missing answer or written cell,
            solution text or a hidden test in the student notebook).
    """
    nb = copy.deepcopy(otter_nb)
    _tag_written_cells(nb, layout, notebook)
    _check_answer_cells(nb, layout, notebook)
    tests = nb.get("metadata", {}).get("otter", {}).get("tests", {})
    _check_public_tests_only(tests, notebook)
    _replace_init_cell(nb, tests, notebook)
    _replace_export_cells(nb, notebook)
    return _normalized(nb)


SETUP_CELL = """\
# Run this cell first. It makes grader.check("q1") work in Jupyter, JupyterLab, VS Code and Colab,
# whatever this file is called; where Otter (the grader) is missing, as on Colab, it installs it.
import os

_stderr = os.dup(2)  # TensorFlow's C++ start-up messages would fill the output: import it quietly
_devnull = os.open(os.devnull, os.O_WRONLY)
os.dup2(_devnull, 2)
try:
    import tensorflow
finally:
    os.dup2(_stderr, 2)
    os.close(_stderr)
    os.close(_devnull)

try:
    import otter
except ImportError:  # install the version the course uses, once (needs the internet)
    get_ipython().run_line_magic("pip", "install --quiet {otter_pin}")
    import otter

PUBLIC_TESTS = {tests}
if not getattr(otter.Notebook, "_grading_mode", False):  # while Otter grades, its own tests are there
    os.makedirs("tests", exist_ok=True)  # where Otter looks on every platform
    for _question, _text in PUBLIC_TESTS.items():
        with open(os.path.join("tests", _question + ".py"), "w", encoding="utf-8") as _file:
            _file.write(_text)
_here = [p for p in (globals().get("__vsc_ipynb_file__"), globals().get("__session__"))
         if isinstance(p, str) and p.endswith(".ipynb") and os.path.isfile(p)]
grader = otter.Notebook(_here[0] if _here else None, tests_dir="tests")
"""
"""The first cell of the student notebook; ``{tests}`` and ``{otter_pin}`` are filled in at build."""


SUBMISSION_TEXT = """\
## Submission

Run every cell from the top first (**Kernel → Restart Kernel and Run All Cells** in Jupyter,
**Runtime → Run all** on Colab), check that your answers ran without errors, and save the notebook.
Then upload it to Gradescope:

- **Jupyter, JupyterLab or VS Code**: run the cell below. It makes a `.zip` next to this notebook;
  upload the zip, or the `.ipynb` itself (either works).
- **Colab**: the cell below cannot make a zip there. Use **File → Download → Download .ipynb** and
  upload that file.

Any file name works (a browser's `pooling_norms_layers (1).ipynb` too); upload exactly one notebook."""
EXPORT_CODE = """\
# Save the notebook first (Ctrl+S, or Cmd+S on a Mac), then run this cell to make the zip to upload.
try:
    grader.export(pdf=False)
except (RuntimeError, ValueError) as error:  # on Colab, or where the notebook's file cannot be found
    print(f"No zip was made ({error}).")
    print("Upload the notebook itself instead: on Colab File > Download > Download .ipynb, in Jupyter File > Download.")"""


def _replace_export_cells(nb: nbformat.NotebookNode, notebook: str) -> None:
    text = next((c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## Submission")), None)
    code = next((c for c in nb.cells if c.cell_type == "code" and "grader.export(" in c.source), None)
    if text is None or code is None:
        raise AssignError("Otter produced no submission cells (export_cell)", notebook=notebook)
    text.source, code.source = SUBMISSION_TEXT, EXPORT_CODE


def otter_pin() -> str:
    """``otter-grader==X``, the version the project pins."""
    from autograder.project import pin

    return pin("otter-grader")


def _replace_init_cell(nb: nbformat.NotebookNode, tests: Any, notebook: str) -> None:
    init = next((c for c in nb.cells if c.cell_type == "code" and "otter.Notebook(" in c.source), None)
    if init is None:
        raise AssignError("Otter produced no `grader = otter.Notebook(...)` cell (init_cell: true)", notebook=notebook)
    if not isinstance(tests, Mapping) or not all(isinstance(t, str) for t in tests.values()):
        raise AssignError("the public tests must be Otter test files (tests: ok_format: false)", notebook=notebook)
    listing = "{\n" + "".join(f"    {name!r}: {text!r},\n" for name, text in sorted(tests.items())) + "}"
    init.source = SETUP_CELL.format(tests=listing, otter_pin=otter_pin())


def check_student_test_files(tests: Mapping[str, str], *, notebook: str) -> None:
    """Refuses test files that hold hidden tests.

    Args:
        tests: test file name -> contents, as Otter wrote them to ``student/tests``.
        notebook: the notebook name, for error messages.

    Raises:
        AssignError: if a file holds a hidden test case.
    """
    for name, text in tests.items():
        if _HIDDEN_TEST_RE.search(text) or "'hidden': True" in text:
            raise AssignError(f"student test file {name} contains a hidden test", notebook=notebook)


def _export_regions(nb: nbformat.NotebookNode) -> list[tuple[int, int | None]]:
    """Pairs each answer placeholder with the PDF-export region it sits in.

    Otter wraps every manual (or ``export: true``) question in ``<!-- BEGIN QUESTION -->`` /
    ``<!-- END QUESTION -->`` comments, prepended to Markdown cells, in question order.

    Returns:
        (cell index, 0-based region number or ``None``) for each Markdown cell tagged
        ``otter_answer_cell``.
    """
    found: list[tuple[int, int | None]] = []
    region, inside = -1, False
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        if OTTER_ANSWER_TAG in cell.metadata.get("tags", []):
            found.append((index, region if inside else None))
        for match in _EXPORT_COMMENT_RE.finditer(cell.source):
            if match.group(1) == "BEGIN":
                region, inside = region + 1, True
            else:
                inside = False
    return found


def _tag_written_cells(nb: nbformat.NotebookNode, layout: MasterLayout, notebook: str) -> None:
    exported: list[Question] = [q for q in layout.questions if q.manual or q.export]
    tagged: dict[str, int] = {}
    for index, region in _export_regions(nb):
        if region is None or region >= len(exported) or not exported[region].manual:
            continue
        question = exported[region]
        tags = nb.cells[index].metadata.setdefault("tags", [])
        if question.written_tag not in tags:
            tags.append(question.written_tag)
        tagged[question.name] = tagged.get(question.name, 0) + 1
    for question in layout.manual:
        if not tagged.get(question.name):
            raise AssignError(
                f"Otter produced no written-answer cell for manual question {question.name}",
                cell_index=question.begin_index,
                notebook=notebook,
            )


def _check_answer_cells(nb: nbformat.NotebookNode, layout: MasterLayout, notebook: str) -> None:
    for question in layout.autograded:
        cells = [c for c in nb.cells if c.cell_type == "code" and question.answer_tag in c.metadata.get("tags", [])]
        if not cells:
            raise AssignError(
                f"the student notebook lost the '{question.answer_tag}' answer cell",
                cell_index=question.answer_cells[0],
                notebook=notebook,
            )
        if "..." not in cells[0].source:
            raise AssignError(
                f"the first '{question.answer_tag}' cell of the student notebook has no '...' stub: "
                "mark the solution lines with # BEGIN SOLUTION / # END SOLUTION",
                cell_index=question.answer_cells[0],
                notebook=notebook,
            )
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(marker in cell.source for marker in _SOLUTION_MARKERS):
            raise AssignError(f"student notebook cell {index} still contains a solution marker", notebook=notebook)


def _check_public_tests_only(tests: Any, notebook: str) -> None:
    if not isinstance(tests, Mapping):
        return
    for name, test in tests.items():
        if isinstance(test, str):
            leaked = bool(_HIDDEN_TEST_RE.search(test))
        else:  # OK-format test: a dict of suites of cases
            leaked = any(case.get("hidden") for suite in test.get("suites", []) for case in suite.get("cases", []))
        if leaked:
            raise AssignError(f"the student notebook's metadata holds a hidden test of {name}", notebook=notebook)


def _normalized(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cells = []
    for index, cell in enumerate(nb.cells):
        metadata = {key: cell.metadata[key] for key in _KEPT_CELL_METADATA if key in cell.metadata}
        if "tags" in metadata:
            metadata["tags"] = list(dict.fromkeys(metadata["tags"]))
        fields: dict[str, Any] = {"id": f"cell-{index:03d}", "metadata": metadata}
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source, **fields)
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(cell.source, **fields)
        else:
            new = nbformat.v4.new_raw_cell(cell.source, **fields)
        cells.append(new)

    metadata: dict[str, Any] = {}
    kernelspec = nb.metadata.get("kernelspec")
    if kernelspec:
        metadata["kernelspec"] = {k: kernelspec[k] for k in ("display_name", "language", "name") if k in kernelspec}
    metadata["language_info"] = {"name": nb.metadata.get("language_info", {}).get("name", "python")}
    if "otter" in nb.metadata:
        metadata["otter"] = nb.metadata["otter"]
    out = nbformat.v4.new_notebook(cells=cells, metadata=metadata)
    out.nbformat, out.nbformat_minor = 4, 5
    nbformat.validate(out)
    return out

"""Turning Otter's student notebook into our deterministic student template.

Otter's student notebook is almost the template. This module

- tags the written-answer cells: Otter replaces a manual question's answer with its own
  placeholder Markdown cell (tagged ``otter_answer_cell``) and drops the master's tags,
  so the placeholder is tagged ``written:qN`` here;
- checks that every autograded question kept its ``answer:qN`` cell with a ``...`` stub,
  that no solution marker survived, and that no hidden test reached the student side;
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
    _check_public_tests_only(nb.get("metadata", {}).get("otter", {}).get("tests", {}), notebook)
    return _normalized(nb)


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

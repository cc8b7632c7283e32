"""Build submissions for tests: the student template with chosen answers and extra cells."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
MASTER = ROOT / "assignment" / "pooling_norms_layers.ipynb"
TEMPLATE = ROOT / "student_template" / "pooling_norms_layers.ipynb"
QUESTIONS = ("q1", "q2", "q3", "q4")

_MARKER = re.compile(r"^\s*#\s*(BEGIN|END)\s+SOLUTION\b.*$", re.IGNORECASE)
_INLINE = re.compile(r"\s*#\s*SOLUTION\s*$", re.IGNORECASE)


def _tags(cell: dict) -> list[str]:
    return [str(t) for t in cell.get("metadata", {}).get("tags", []) or []]


def answer_cell_indices(nb: nbformat.NotebookNode) -> dict[str, int]:
    """Index of the first ``answer:qN`` code cell of each question."""
    found: dict[str, int] = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for tag in _tags(cell):
            if tag.startswith("answer:"):
                found.setdefault(tag.split(":", 1)[1], i)
    return found


def solution_answers() -> dict[str, str]:
    """The master's solution code for each question, with Otter's markers removed."""
    master = nbformat.read(MASTER, as_version=4)
    out = {}
    for question, index in answer_cell_indices(master).items():
        lines = []
        for line in master.cells[index].source.splitlines():
            if _MARKER.match(line):
                continue
            lines.append(_INLINE.sub("", line))
        out[question] = "\n".join(lines) + "\n"
    return out


def build_submission(
    answers: dict[str, str] | None = None,
    *,
    extra_cells: list[str] | tuple[str, ...] = (),
    prepend_cells: list[str] | tuple[str, ...] = (),
    written: dict[str, str] | None = None,
) -> nbformat.NotebookNode:
    """The student template with some answer cells replaced and extra code cells appended.

    Args:
        answers: question -> source for its answer cell (others keep the stub).
        extra_cells: code appended at the end (e.g. an attack).
        prepend_cells: code inserted right after the first cell.
        written: question -> markdown for the ``written:qN`` cells.
    """
    nb = copy.deepcopy(nbformat.read(TEMPLATE, as_version=4))
    indices = answer_cell_indices(nb)
    for question, source in (answers or {}).items():
        nb.cells[indices[question]].source = source
    for cell in nb.cells:
        for tag in _tags(cell):
            if tag.startswith("written:") and written and tag.split(":", 1)[1] in written:
                cell.source = written[tag.split(":", 1)[1]]
    for offset, source in enumerate(prepend_cells):
        nb.cells.insert(1 + offset, nbformat.v4.new_code_cell(source))
    for source in extra_cells:
        nb.cells.append(nbformat.v4.new_code_cell(source))
    return nb


def write_submission(path: Path, nb: nbformat.NotebookNode) -> Path:
    """Write a notebook and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path

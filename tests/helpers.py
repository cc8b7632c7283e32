"""Build submissions for tests: the student template with chosen answers and extra cells."""

from __future__ import annotations

import copy
import csv
import os
import re
import subprocess
import sys
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


def grading_env(**extra: str) -> dict[str, str]:
    """This process's environment for a grader subprocess: the package is installed, so no
    ``PYTHONPATH`` (which would also reach the workers), plus ``extra``."""
    return {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, **extra}


EXAMPLE_SCORES = {"full": "18", "partial": "13", "raises": "13", "untouched": "0"}
"""What ``make grade`` prints for ``examples/``: the scores every grading path must reproduce."""


def copy_examples(folder: Path, prefix: str = "e_") -> None:
    """The example submissions, renamed ``<prefix><name>.ipynb`` (keys ``<prefix>full`` ...)."""
    for example in sorted((ROOT / "examples").glob("*.ipynb")):
        (folder / f"{prefix}{example.name}").write_bytes(example.read_bytes())


def grade_with_cli(prefix: list[str], inputs: Path, out: Path, *, env: dict[str, str], workers: int = 2,
                   timeout_s: float = 90) -> tuple[subprocess.CompletedProcess, dict[str, dict[str, str]]]:
    """Run ``python -m autograder grade`` under a ``prefix`` command (e.g. ``unshare ...``).

    Returns:
        The finished process and grades.csv's rows by submission key.
    """
    proc = subprocess.run([*prefix, sys.executable, "-m", "autograder", "grade", str(inputs), "--out", str(out),
                           "--workers", str(workers), "--timeout", str(timeout_s)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    with open(out / "grades.csv", newline="") as fh:
        return proc, {r["submission"]: r for r in csv.DictReader(fh)}


def example_scores(rows: dict[str, dict[str, str]], prefix: str = "e_") -> dict[str, str]:
    """The examples' scores in grades.csv rows, keyed like :data:`EXAMPLE_SCORES`."""
    return {name: rows[f"{prefix}{name}"]["score"] for name in EXAMPLE_SCORES}

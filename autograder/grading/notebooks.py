"""Read one submitted notebook and turn it into the cells to run, or a clear error."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any

import nbformat

from autograder.execution import cell_tags, code_cells
from autograder.text import valid_unicode

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024


class NotebookError(ValueError):
    """A submission that cannot be graded as a notebook; the message names the file."""


@dataclass(frozen=True)
class ParsedNotebook:
    """The parts of a notebook grading needs."""

    cells: list[dict[str, Any]]
    """Code cells to run: ``{"index", "source", "tags"}``."""

    written: dict[str, str]
    """Written answers by question (``"q1"`` -> markdown text), from ``written:qN`` cells."""

    answer_sources: dict[str, str]
    """Source of each question's first ``answer:qN`` cell (none: not this assignment's notebook)."""


def parse_notebook(data: bytes, name: str) -> ParsedNotebook:
    """Validate notebook bytes and extract cells.

    Args:
        data: the file's bytes.
        name: the file name, used in error messages.

    Raises:
        NotebookError: when the file is too large, not JSON, or not a v4 notebook.
    """
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{name}: the notebook is larger than {MAX_NOTEBOOK_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotebookError(f"{name}: not a text file (is it really a .ipynb notebook?)") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"{name}: not valid notebook JSON (line {exc.lineno}: {exc.msg})") from None
    except (ValueError, RecursionError):  # nesting deeper than any notebook has, numbers too long
        raise NotebookError(f"{name}: not a readable notebook (its JSON is nested too deeply or malformed)") from None
    if not isinstance(raw, dict) or "cells" not in raw:
        raise NotebookError(f"{name}: JSON without notebook cells (is it really a .ipynb notebook?)")
    try:
        with warnings.catch_warnings():  # nbformat warns (missing cell ids) about what it fixes itself
            warnings.simplefilter("ignore")
            nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several types for malformed notebooks
        detail = valid_unicode(str(exc))[:300]
        raise NotebookError(f"{name}: not a readable Jupyter notebook ({type(exc).__name__}: {detail})") from None
    cells = [{"index": c.index, "source": valid_unicode(c.source), "tags": [valid_unicode(t) for t in c.tags]}
             for c in code_cells(nb)]
    written: dict[str, str] = {}
    answers: dict[str, str] = {}
    for cell in nb.cells:
        for tag in cell_tags(cell):
            if tag.startswith("written:"):
                question = tag.split(":", 1)[1]
                written.setdefault(valid_unicode(question), valid_unicode(str(cell.get("source", ""))))
            if tag.startswith("answer:") and cell.get("cell_type") == "code":
                question = tag.split(":", 1)[1]
                answers.setdefault(valid_unicode(question), valid_unicode(str(cell.get("source", ""))))
    return ParsedNotebook(cells=cells, written=written, answer_sources=answers)

"""Run a notebook's code cells in a fresh namespace, the way a kernel would, minus the kernel.

Used inside the sandboxed child process. Cells run top to bottom; an error, ``SystemExit``
or time-out in one cell is recorded and the next cell still runs (a student who broke a
demo cell keeps the points of the questions defined after it). IPython syntax (``%magic``,
``!shell``) is translated by IPython's own transformer and then ignored: grading runs no
shell commands and installs nothing.
"""

from __future__ import annotations

import sys
import time
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from autograder.budget import time_budget

IGNORE_TAG = "otter_ignore"
"""Cells with this tag (slow demos: data loading, training loops) are skipped when grading,
as Otter does."""


@dataclass(frozen=True)
class CodeCell:
    """A code cell to run: its position in the notebook, source and tags."""

    index: int
    source: str
    tags: tuple[str, ...] = ()


@dataclass
class CellOutcome:
    """What happened when one cell ran."""

    index: int
    seconds: float
    error: dict[str, str] | None = None


@dataclass
class ExecutionLog:
    """Per-cell outcomes of a notebook run."""

    cells: list[CellOutcome] = field(default_factory=list)


class CellTimeout(BaseException):
    """Raised by the alarm when a cell runs past its budget (not an ``Exception`` on purpose)."""


def cell_tags(cell: Any) -> tuple[str, ...]:
    """A cell's metadata tags as strings (none when the metadata is not what nbformat writes)."""
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return tuple(str(t) for t in tags) if isinstance(tags, list) else ()


def code_cells(notebook: Any) -> list[CodeCell]:
    """The code cells to run when grading, in order, without ``otter_ignore`` cells.

    Args:
        notebook: an ``nbformat.NotebookNode`` (v4).
    """
    cells = []
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        tags = cell_tags(cell)
        if IGNORE_TAG in tags:
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        cells.append(CodeCell(index=index, source=str(source), tags=tags))
    return cells


class _IPythonShim:
    """Enough of ``get_ipython()`` for translated magics to run as no-ops."""

    def run_line_magic(self, name: str, line: str, *args: Any, **kwargs: Any) -> None:
        return None

    def run_cell_magic(self, name: str, line: str, cell: str, *args: Any, **kwargs: Any) -> None:
        return None

    def system(self, cmd: str, *args: Any, **kwargs: Any) -> None:
        return None

    getoutput = system


class _GraderStub:
    """Stands in for ``otter.Notebook`` while grading: public checks are not re-run here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def check(self, *args: Any, **kwargs: Any) -> None:
        return None

    def check_all(self, *args: Any, **kwargs: Any) -> None:
        return None

    def export(self, *args: Any, **kwargs: Any) -> None:
        return None

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *a, **k: None


def install_otter_stub() -> None:
    """Make ``import otter`` in the notebook give a harmless stub (grading needs no Otter)."""
    stub = types.ModuleType("otter")
    stub.Notebook = _GraderStub  # type: ignore[attr-defined]
    sys.modules["otter"] = stub


def _translate(source: str) -> str:
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover - IPython is a dependency
        return source
    return TransformerManager().transform_cell(source)


def run_cells(
    cells: list[CodeCell],
    namespace: dict[str, Any],
    *,
    cell_budget_s: float = 60.0,
    on_cell_start: Callable[[CodeCell], None] | None = None,
) -> ExecutionLog:
    """Execute cells in ``namespace`` in order, recording errors and continuing.

    Args:
        cells: from :func:`code_cells`.
        namespace: the notebook's globals (mutated).
        cell_budget_s: per-cell wall-clock budget; 0 disables it.
        on_cell_start: called before each cell (e.g. to report progress to the parent, so a
            crash can be attributed to its cell).

    Returns:
        The per-cell log.
    """
    namespace.setdefault("__name__", "__main__")
    namespace.setdefault("get_ipython", lambda: _IPythonShim())
    namespace.setdefault("display", lambda *a, **k: None)
    log = ExecutionLog()
    for cell in cells:
        if on_cell_start is not None:
            on_cell_start(cell)
        start = time.monotonic()
        error = None
        try:
            with time_budget(cell_budget_s, CellTimeout):
                exec(compile(_translate(cell.source), f"<cell {cell.index}>", "exec"), namespace)
        except CellTimeout:
            error = {"type": "Timeout", "message": f"cell took longer than {cell_budget_s:g} s"}
        except BaseException as exc:  # SystemExit and KeyboardInterrupt included
            error = {"type": type(exc).__name__, "message": str(exc)[:500]}
        log.cells.append(CellOutcome(cell.index, round(time.monotonic() - start, 4), error))
    return log

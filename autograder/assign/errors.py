"""The one exception type of the assign step."""

from __future__ import annotations


class AssignError(Exception):
    """A master notebook that cannot be turned into a student template.

    The message names the master notebook and, where known, the offending cell by its
    0-based index in the notebook's ``cells`` list (what ``nbformat.read(...).cells[i]``
    gives, and what Jupyter shows as the i+1-th cell).

    Attributes:
        problem: What is wrong, without the location.
        cell_index: 0-based index of the offending master cell, or ``None`` when the
            problem is not tied to one cell.
        notebook: Name of the master notebook, or ``None``.
    """

    def __init__(self, problem: str, *, cell_index: int | None = None, notebook: str | None = None) -> None:
        self.problem = problem
        self.cell_index = cell_index
        self.notebook = notebook
        where = []
        if notebook is not None:
            where.append(notebook)
        if cell_index is not None:
            where.append(f"cell {cell_index}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {problem}" if prefix else problem)

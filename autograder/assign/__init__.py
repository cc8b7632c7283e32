"""Build the student template from the master notebook with Otter Assign.

``main`` validates the master (``autograder.assign.master``), runs ``otter assign`` into a
scratch directory (``autograder.assign.otter_assign``), post-processes Otter's student
notebook (``autograder.assign.template``) and writes it to ``OUTPUT/<master name>``, with
``OUTPUT/tests/`` only if Otter wrote public test files (with ``tests: files: false``,
the project's setting, Otter keeps the public tests in the notebook's metadata instead).

The build is deterministic: the same master gives byte-identical output.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.assign.errors import AssignError
from autograder.assign.master import MasterLayout, read_master, validate_master
from autograder.assign.otter_assign import DEFAULT_TIMEOUT_S, run_otter_assign
from autograder.assign.template import build_template, check_student_test_files
from autograder.files import atomic_write_text

__all__ = ["AssignError", "AssignResult", "MasterLayout", "main", "read_master", "validate_master"]

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class AssignResult:
    """What ``main`` wrote.

    Attributes:
        notebook: the student template notebook.
        tests_dir: the student ``tests/`` directory, or ``None`` when the public tests live
            in the notebook's metadata.
        layout: the master's questions.
    """

    notebook: Path
    tests_dir: Path | None
    layout: MasterLayout


def main(
    *,
    master: Path,
    output: Path,
    otter_output: Path | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> AssignResult:
    """Builds the student template from a master notebook.

    Args:
        master: the Otter Assign (v1 format) master notebook.
        output: the student template directory; ``output/<master name>`` is written, and
            ``output/tests/`` is written (or removed, if stale) to match Otter's output.
        otter_output: if given, Otter's raw result (``student/`` and ``autograder/``, the
            latter holding all tests) is copied there, replacing what was there.
        timeout_s: how long ``otter assign`` may run.

    Returns:
        The paths written and the master's layout.

    Raises:
        AssignError: if the master is malformed or Otter fails; the message names the cell.
    """
    master = Path(master)
    output = Path(output)
    _, layout = read_master(master)
    with tempfile.TemporaryDirectory(prefix="assign-") as scratch_name:
        scratch = Path(scratch_name)
        try:
            otter = run_otter_assign(master, scratch / "result", scratch=scratch, timeout_s=timeout_s)
        except AssignError as err:
            if err.cell_index is None and "config" in err.problem.lower():
                # Otter names no cell for a bad setting; it can only be in the config cell.
                raise AssignError(err.problem, cell_index=layout.config_index, notebook=err.notebook) from err
            raise
        student_nb = otter.student_dir / master.name
        try:
            otter_nb = nbformat.read(str(student_nb), as_version=4)
        except OSError as err:
            raise AssignError(f"otter assign wrote no {student_nb.name}", notebook=master.name) from err
        template = build_template(otter_nb, layout, notebook=master.name)

        tests_src = otter.student_dir / "tests"
        tests = {p.name: p.read_text(encoding="utf-8") for p in sorted(tests_src.glob("*.py"))}
        check_student_test_files(tests, notebook=master.name)

        output.mkdir(parents=True, exist_ok=True)
        notebook_path = output / master.name
        _write_text(notebook_path, nbformat.writes(template) + "\n")
        tests_dir = _write_tests(output / "tests", tests)

        if otter_output is not None:
            shutil.rmtree(otter_output, ignore_errors=True)
            shutil.copytree(otter.root, otter_output)
    LOGGER.info("wrote %s (%d questions)", notebook_path, len(layout.questions))
    return AssignResult(notebook=notebook_path, tests_dir=tests_dir, layout=layout)


def _write_text(path: Path, text: str) -> None:
    """Writes atomically, so an interrupted build never leaves half a notebook."""
    atomic_write_text(path, text, mode=0o644)


def _write_tests(tests_dir: Path, tests: dict[str, str]) -> Path | None:
    if not tests:
        if tests_dir.is_dir():
            LOGGER.info("removing stale %s: Otter wrote no test files", tests_dir)
            shutil.rmtree(tests_dir)
        return None
    tests_dir.mkdir(exist_ok=True)
    for stale in set(p.name for p in tests_dir.glob("*.py")) - set(tests):
        (tests_dir / stale).unlink()
    for name, text in tests.items():
        _write_text(tests_dir / name, text)
    return tests_dir

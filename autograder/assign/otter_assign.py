"""Running ``otter assign`` in a child process.

A child process keeps Otter's side effects out of the caller: Otter changes the working
directory while it runs, configures logging, and (with ``generate: false``) leaves a
temporary directory of test files behind (it only deletes it after Otter Generate). The
child gets ``TMPDIR`` pointing inside the caller's scratch directory, so that leftover is
removed with it.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from autograder.assign.errors import AssignError

LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 300.0
"""How long ``otter assign`` may run (it takes about 2 s here without running tests)."""

_EXCEPTION_LINE_RE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*(?:Error|Exception|Exit|Warning))(?::\s?(?P<msg>.*))?$")
_OTTER_CELL_RE = re.compile(r"cell number (\d+)")


@dataclass(frozen=True)
class OtterOutput:
    """Where ``otter assign`` wrote its results.

    Attributes:
        root: the result directory given to Otter.
        student_dir: ``root/student``: the student notebook (and ``tests/`` with test files).
        autograder_dir: ``root/autograder``: the solutions notebook with all tests.
    """

    root: Path

    @property
    def student_dir(self) -> Path:
        return self.root / "student"

    @property
    def autograder_dir(self) -> Path:
        return self.root / "autograder"


def run_otter_assign(
    master: Path,
    result: Path,
    *,
    scratch: Path,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> OtterOutput:
    """Runs ``otter assign --no-pdfs --no-run-tests MASTER RESULT`` quietly.

    Args:
        master: the master notebook.
        result: the directory Otter writes ``student/`` and ``autograder/`` into.
        scratch: a directory that the caller deletes afterwards; Otter's temporary files go
            there.
        timeout_s: seconds before the child is killed.

    Returns:
        Where the output is.

    Raises:
        AssignError: if Otter fails or times out; Otter's message is kept and the master cell
            is named when Otter names it.
    """
    tmpdir = scratch / "otter-tmp"
    tmpdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [
        sys.executable,
        "-m",
        "otter",
        "assign",
        "--no-pdfs",
        "--no-run-tests",
        str(master.resolve()),
        str(result.resolve()),
    ]
    LOGGER.debug("running %s", command)
    try:
        proc = subprocess.run(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise AssignError(f"otter assign did not finish within {timeout_s:g} s", notebook=master.name) from err
    if proc.stdout.strip():
        LOGGER.debug("otter assign stdout:\n%s", proc.stdout)
    if proc.stderr.strip():
        LOGGER.debug("otter assign stderr:\n%s", proc.stderr)
    if proc.returncode != 0:
        problem, cell_index = describe_otter_failure(proc.stderr)
        raise AssignError(f"otter assign failed: {problem}", cell_index=cell_index, notebook=master.name)
    output = OtterOutput(result)
    if not output.student_dir.is_dir():
        raise AssignError("otter assign wrote no student directory", notebook=master.name)
    return output


def describe_otter_failure(stderr: str) -> tuple[str, int | None]:
    """Extracts the final exception of a Python traceback printed by Otter.

    Args:
        stderr: the child's standard error.

    Returns:
        The exception as ``"Type: message"`` (module path dropped) and the 0-based master
        cell index when the message contains Otter's 1-based ``cell number N``.
    """
    lines = stderr.rstrip().splitlines()
    start, match = None, None
    for i, line in enumerate(lines):
        found = _EXCEPTION_LINE_RE.match(line)
        if found:
            start, match = i, found
    if start is None or match is None:
        tail = " ".join(line.strip() for line in lines[-3:])
        return (tail or "no error message"), None
    exc_type = match.group("type").rsplit(".", 1)[-1]
    message = " ".join([match.group("msg") or "", *(line.strip() for line in lines[start + 1 :])]).strip()
    cell = _OTTER_CELL_RE.search(message)
    return f"{exc_type}: {message}" if message else exc_type, (int(cell.group(1)) - 1 if cell else None)

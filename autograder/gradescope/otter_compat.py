"""Build ``dist/otter_autograder.zip``: Otter's own autograder for the master notebook.

Our Gradescope zip (``autograder.gradescope.build``) is the one to upload; this one keeps Otter's
workflow working (``otter run -a dist/otter_autograder.zip notebook.ipynb``, or Otter's Gradescope
image) with the same points. The master's hidden test cells call
``otter_hidden_checks.run_check(check_id, env)``; this build stages that module, the
``autograder.checks`` package it needs and the reference measurements next to a copy of the
master, adds them to the assignment config's ``autograder_files`` and runs ``otter assign``.
Otter Generate puts those files under ``files/`` in its zip, and at grading time Otter copies
``files/*`` into the submission folder, which it appends to the kernel's ``sys.path``: that is
how ``from otter_hidden_checks import run_check`` resolves when Otter grades.

The copy of the master also gets Otter Generate's settings from ``otter_config.json`` (repo
root), the grading runtime's pins from ``pyproject.toml`` (plus Otter's) as its ``requirements.txt``
in place of Otter's defaults, and this
Python version. Public tests are worth 0 points and hidden tests carry the points, so Otter's
total equals ours.
"""

from __future__ import annotations

import ast
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import nbformat
import yaml

from autograder import paths, project
from autograder.assign.otter_assign import run_otter_assign
from autograder.checks import CHECKS_BY_ID
from autograder.checks.expected import ensure_expected, fingerprint
from autograder.files import ZipEntry
from autograder.gradescope import otter_hidden_checks
from autograder.gradescope.build import write_zip
from autograder.grading.core import DEFAULT_EXPECTED

log = logging.getLogger(__name__)

DEFAULT_MASTER = paths.CODE_ROOT / "assignment" / paths.MASTER_NAME
DEFAULT_OUT = paths.CODE_ROOT / "dist" / "otter_autograder.zip"
OTTER_CONFIG = paths.CODE_ROOT / "otter_config.json"
REQUIREMENTS_NAME = "requirements.txt"
"""What Otter's zip calls its pins."""
HIDDEN_MODULE = "otter_hidden_checks.py"
SHIPPED_SOURCES = (
    "autograder/__init__.py",
    "autograder/budget.py",
    "autograder/checks",
    "autograder/files.py",
    "autograder/paths.py",
    "autograder/probes",
    "autograder/text.py",
    "autograder/wire.py",
    "autograder/sandbox/__init__.py",
    "autograder/sandbox/limits.py",
)
"""What ``otter_hidden_checks`` imports, and nothing more (no reference solution, no grader)."""
CONFIG_LINE = "# ASSIGNMENT CONFIG"
SCRIPTS = frozenset({"run_autograder", "setup.sh"})
OTTER_RUN_TIMEOUT_S = 600.0


def otter_requirements() -> str:
    """What Otter's zip installs: the grading runtime and Otter itself, pinned as in the project."""
    return "\n".join([*project.runtime_requirements(), project.pin("otter-grader")]) + "\n"


class OtterBuildError(RuntimeError):
    """The Otter autograder cannot be built, or the master's solution fails it."""


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))
    else:
        shutil.copyfile(src, dst)


def stage_hidden_files(dest: Path, expected_path: Path = DEFAULT_EXPECTED) -> list[str]:
    """Write ``otter_hidden_checks.py``, its measurements and the packages it imports into ``dest``.

    Args:
        dest: a folder (the copy of the master's folder that ``otter assign`` reads).
        expected_path: the reference measurements to ship.

    Returns:
        The top-level names written, as Otter's ``autograder_files`` lists them.
    """
    _copy(Path(otter_hidden_checks.__file__), dest / HIDDEN_MODULE)
    _copy(expected_path, dest / otter_hidden_checks.EXPECTED_NAME)
    for rel in SHIPPED_SOURCES:
        _copy(paths.CODE_ROOT / rel, dest / rel)
    return sorted({HIDDEN_MODULE, otter_hidden_checks.EXPECTED_NAME, *(rel.split("/")[0] for rel in SHIPPED_SOURCES)})


def _config_cell(nb: nbformat.NotebookNode) -> int:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "raw" and cell.source.lstrip().upper().startswith(CONFIG_LINE):
            return index
    raise OtterBuildError(f"the master has no raw '{CONFIG_LINE}' cell")


def assignment_config(config: dict[str, Any], generate: dict[str, Any], hidden: list[str]) -> dict[str, Any]:
    """The master's assignment config with what the Otter autograder needs.

    Args:
        config: the master's ``# ASSIGNMENT CONFIG``.
        generate: Otter Generate settings (``otter_config.json``); they win over the master's.
        hidden: names from :func:`stage_hidden_files`.
    """
    out = dict(config)
    previous = config.get("generate")
    out["generate"] = {**(previous if isinstance(previous, dict) else {}), **generate}
    own = [str(f) for f in config.get("autograder_files") or []]
    out["autograder_files"] = own + [name for name in hidden if name not in own]
    out["requirements"] = REQUIREMENTS_NAME
    out["overwrite_requirements"] = True
    out["python_version"] = f"{sys.version_info.major}.{sys.version_info.minor}"
    return out


def stage_master(master: Path, stage: Path, hidden: list[str]) -> Path:
    """Copy the master (and the files its config names) into ``stage`` with the Otter settings.

    Returns:
        The staged master notebook.

    Raises:
        OtterBuildError: if the master has no config cell or names a file that does not exist.
    """
    nb = nbformat.read(str(master), as_version=4)
    index = _config_cell(nb)
    header, _, body = nb.cells[index].source.partition("\n")
    config = yaml.safe_load(body) or {}
    if not isinstance(config, dict):
        raise OtterBuildError(f"{master.name}: the assignment config is not a mapping")
    for key in ("files", "autograder_files", "student_files"):
        for name in config.get(key) or []:
            if str(name) in hidden:
                continue
            src = master.parent / str(name)
            if not src.exists():
                raise OtterBuildError(f"{master.name}: {key} names {name}, which does not exist next to the master")
            _copy(src, stage / str(name))
    generate = json.loads(OTTER_CONFIG.read_text(encoding="utf-8"))
    nb.cells[index].source = header + "\n" + yaml.safe_dump(assignment_config(config, generate, hidden), sort_keys=False)
    (stage / REQUIREMENTS_NAME).write_text(otter_requirements(), encoding="utf-8")
    staged = stage / master.name
    nbformat.write(nb, str(staged))
    return staged


def repack(otter_zip: Path) -> list[ZipEntry]:
    """Otter's zip as sorted entries (fixed dates, scripts executable), for a reproducible file."""
    with zipfile.ZipFile(otter_zip) as zf:
        entries = [
            ZipEntry(info.filename, zf.read(info), 0o755 if info.filename in SCRIPTS else 0o644)
            for info in zf.infolist()
            if not info.is_dir() and "__pycache__" not in info.filename
        ]
    return sorted(entries, key=lambda e: e.name)


def _literal(call: ast.Call, name: str, default: Any) -> Any:
    for keyword in call.keywords:
        if keyword.arg == name:
            return ast.literal_eval(keyword.value)
    return default


def test_points(tests: dict[str, str]) -> tuple[dict[str, float], list[str]]:
    """Read Otter's test files: the points of each hidden check, and the public tests with points.

    Args:
        tests: test file name -> source (exception-based format, ``@test_case(points=, hidden=)``).

    Returns:
        ``{check_id: points}`` for hidden tests calling ``run_check(check_id, env)``, and the names
        of problems found (public tests with points, hidden tests that call no check).
    """
    points: dict[str, float] = {}
    problems: list[str] = []
    for filename, source in sorted(tests.items()):
        for node in ast.walk(ast.parse(source, filename)):
            if not isinstance(node, ast.FunctionDef):
                continue
            marks = [d for d in node.decorator_list
                     if isinstance(d, ast.Call) and getattr(d.func, "id", getattr(d.func, "attr", "")) == "test_case"]
            if not marks:
                continue
            value = float(_literal(marks[0], "points", 0) or 0)
            if not _literal(marks[0], "hidden", False):
                if value:
                    problems.append(f"{filename}: public test {node.name} is worth {value:g} points (should be 0)")
                continue
            calls = [c for c in ast.walk(node) if isinstance(c, ast.Call) and getattr(c.func, "id", "") == "run_check"
                     and c.args and isinstance(c.args[0], ast.Constant)]
            if not calls:
                problems.append(f"{filename}: hidden test {node.name} calls no run_check")
                continue
            check_id = str(calls[0].args[0].value)
            if check_id in points:
                problems.append(f"{filename}: {check_id} is run by two hidden tests")
            points[check_id] = points.get(check_id, 0.0) + value
    return points, problems


def check_points(entries: list[ZipEntry]) -> None:
    """Make sure Otter's tests give every check its registry points, once, and public tests none.

    Raises:
        OtterBuildError: listing every difference with ``autograder.checks``.
    """
    tests = {e.name: e.data.decode("utf-8") for e in entries if e.name.startswith("tests/") and e.name.endswith(".py")}
    points, problems = test_points(tests)
    for check_id, check in CHECKS_BY_ID.items():
        if check_id not in points:
            problems.append(f"no hidden test runs {check_id}")
        elif points[check_id] != check.points:
            problems.append(f"the hidden test of {check_id} is worth {points[check_id]:g} points, the check {check.points:g}")
    problems += [f"hidden tests run {c}, which is not a check" for c in sorted(set(points) - set(CHECKS_BY_ID))]
    if problems:
        raise OtterBuildError("Otter's tests do not match the checks:\n  " + "\n  ".join(problems))


def otter_run(autograder_zip: Path, notebook: Path, *, timeout_s: float = OTTER_RUN_TIMEOUT_S) -> dict[str, Any]:
    """Grade ``notebook`` with Otter's own ``otter run -a autograder_zip`` and return its results.json.

    Runs in a clean child process (no ``PYTHONPATH``, a scratch working directory), so only what
    the zip ships is importable by the hidden tests.

    Raises:
        OtterBuildError: if ``otter run`` fails or writes no results.
    """
    with tempfile.TemporaryDirectory(prefix="otter-run-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        command = [sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(autograder_zip.resolve()),
                   "-o", tmp, str(notebook.resolve())]
        try:
            proc = subprocess.run(command, cwd=tmp, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as exc:
            raise OtterBuildError(f"otter run on {notebook.name} did not finish within {timeout_s:g} s") from exc
        results = Path(tmp) / "results.json"
        if proc.returncode != 0 or not results.exists():
            raise OtterBuildError(f"otter run on {notebook.name} failed:\n{(proc.stdout + proc.stderr)[-3000:]}")
        return json.loads(results.read_text(encoding="utf-8"))


def otter_total(results: dict[str, Any]) -> float:
    """The score of an Otter results.json: its ``score``, or the sum of its tests' scores."""
    if "score" in results:
        return float(results["score"])
    return float(sum(t.get("score", 0.0) for t in results.get("tests", [])))


def main(*, out: Path = DEFAULT_OUT, master: Path = DEFAULT_MASTER, check_solution: bool = True) -> Path:
    """Build Otter's autograder zip from the master notebook.

    Args:
        out: where to write the zip.
        master: the Otter Assign master notebook.
        check_solution: grade the master's solution with the new zip (``otter run``) and fail
            unless it earns every point.

    Returns:
        The path of the zip.

    Raises:
        autograder.assign.AssignError: if ``otter assign`` rejects the master.
        OtterBuildError: if the zip is incomplete or the solution does not earn every point.
    """
    ensure_expected(DEFAULT_EXPECTED)
    stored = json.loads(DEFAULT_EXPECTED.read_text(encoding="utf-8")).get("fingerprint")
    with tempfile.TemporaryDirectory(prefix="otter-build-") as tmp:
        scratch = Path(tmp)
        stage = scratch / "stage"
        stage.mkdir()
        hidden = stage_hidden_files(stage, DEFAULT_EXPECTED)
        if fingerprint() != stored:
            raise OtterBuildError("the checks changed during the build: run it again")
        staged = stage_master(master, stage, hidden)
        result = run_otter_assign(staged, scratch / "result", scratch=scratch)
        zips = sorted(result.autograder_dir.glob("*.zip"))
        if len(zips) != 1:
            raise OtterBuildError(f"otter assign wrote {len(zips)} autograder zips, expected one")
        entries = repack(zips[0])
        names = {e.name for e in entries}
        missing = [f"files/{name}" for name in (HIDDEN_MODULE, otter_hidden_checks.EXPECTED_NAME) if f"files/{name}" not in names]
        if missing:
            raise OtterBuildError(f"Otter's zip lacks {', '.join(missing)}")
        check_points(entries)
        candidate = scratch / out.name
        write_zip(entries, candidate)
        if check_solution:
            solution = result.autograder_dir / master.name
            graded = otter_run(candidate, solution)
            possible = sum(float(t.get("max_score", 0.0)) for t in graded.get("tests", []))
            if otter_total(graded) < possible:
                failed = [t.get("name", "?") for t in graded.get("tests", []) if t.get("score", 0) < t.get("max_score", 0)]
                raise OtterBuildError(f"the master's solution scores {otter_total(graded):g} / {possible:g} with Otter "
                                      f"(failing: {', '.join(failed)})")
        write_zip(entries, out)
    log.info("wrote %s", out)
    return out

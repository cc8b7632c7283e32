"""The command line's known errors: one line naming the file and the problem, exit status 2.

Each case runs the real ``python -m autograder`` in a subprocess, as a TA would.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, grading_env


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, env=grading_env(COLUMNS="400"),
                          capture_output=True, text=True, timeout=300)


def _write_not_json(path: Path) -> None:
    path.write_text("garbage")


CASES = {
    "grade_missing_input": (["grade", "{tmp}/nobody.ipynb", "--out", "{tmp}/out"], "nobody.ipynb: no such file"),
    "assign_missing_master": (["assign", "--master", "{tmp}/missing.ipynb", "--output", "{tmp}/t"],
                              "missing.ipynb: master notebook not found"),
    "assign_master_not_json": (["assign", "--master", "{tmp}/bad.ipynb", "--output", "{tmp}/t"],
                               "bad.ipynb: not a readable notebook"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_known_error_is_one_line_naming_the_file(case, tmp_path):
    args, message = CASES[case]
    _write_not_json(tmp_path / "bad.ipynb")
    proc = _run(*(a.format(tmp=tmp_path) for a in args), cwd=tmp_path)
    output = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 2, output
    assert "Traceback" not in output
    assert output.startswith("error: ") and message in output
    assert len(output.splitlines()) == 1, output


def test_help_lists_every_verb(tmp_path):
    proc = _run("--help", cwd=tmp_path)
    assert proc.returncode == 0
    for verb in ("grade", "review", "export", "assign", "build"):
        assert verb in proc.stdout


def test_the_console_script_is_declared():
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"autograder": "autograder.cli:main"}

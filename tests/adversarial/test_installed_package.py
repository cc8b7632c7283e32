"""The grader installed with ``pip install .`` into a fresh virtual environment, as a TA would.

``autograder grade examples --out DIR`` must print the ``make grade`` table; and since the
grading code and the reference now sit inside ``site-packages`` (which the sandbox shows,
read-only, to every submission) the attacks that look for them must find nothing. The
environment is made under ``/tmp`` on purpose: the sandbox gives each submission a private
``/tmp``, and a Python installed there must stay visible inside it (it once did not).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from attacks import ATTACKS as BASE_ATTACKS
from attacks_isolation import ISOLATION_ATTACKS, LEAK, NEIGHBOUR_MARKER, neighbour_notebook
from helpers import EXAMPLE_SCORES, ROOT, copy_examples, example_scores, grading_env, write_submission

pytestmark = [pytest.mark.slow, pytest.mark.registry, pytest.mark.xdist_group("installed_package")]

USED = {a.name: a for a in (*ISOLATION_ATTACKS, *BASE_ATTACKS)
        if a.name in ("read_hidden_sources", "steal_judges", "read_neighbour_files")}


def _site_packages(prefix: Path) -> Path:
    return prefix / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


@pytest.fixture(scope="module")
def installed(tmp_path_factory, solution_answers):
    prefix = tmp_path_factory.mktemp("venv")
    venv.create(prefix, with_pip=True)
    os.chmod(prefix, 0o755)  # as `python -m venv` makes it under a usual umask (pytest's folders are 0700)
    pip = subprocess.run([prefix / "bin" / "python", "-m", "pip", "install", "--quiet", str(ROOT),
                          "-c", str(ROOT / "constraints.txt")], capture_output=True, text=True, timeout=1200)
    assert pip.returncode == 0, pip.stderr[-3000:]
    subs = tmp_path_factory.mktemp("installed_subs")
    copy_examples(subs)
    write_submission(subs / "n_neighbour.ipynb", neighbour_notebook(solution_answers))
    for name, attack in USED.items():  # where the grader's sources are: site-packages
        write_submission(subs / f"s_{name}.ipynb", attack.notebook(solution_answers, root=_site_packages(prefix)))
    out = tmp_path_factory.mktemp("installed_out")
    env = grading_env(XDG_CACHE_HOME=str(tmp_path_factory.mktemp("cache")))  # measurements built on first use
    proc = subprocess.run([prefix / "bin" / "autograder", "grade", str(subs), "--out", str(out), "--workers", "2"],
                          cwd=tmp_path_factory.mktemp("anywhere"), env=env, capture_output=True, text=True,
                          timeout=1200)
    with open(out / "grades.csv", newline="") as fh:
        rows = {r["submission"]: r for r in csv.DictReader(fh)}
    return {"proc": proc, "rows": rows, "out": out, "site": _site_packages(prefix), "prefix": prefix, "env": env}


def test_the_package_is_installed_outside_the_checkout(installed):
    assert (installed["site"] / "autograder" / "checks" / "q3.py").is_file()
    assert (installed["site"] / "reference" / "__init__.py").is_file()
    assert not (installed["site"] / "autograder" / "__init__.py").is_symlink()


def test_the_console_script_prints_the_make_grade_table(installed):
    proc = installed["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert example_scores(installed["rows"]) == EXAMPLE_SCORES
    for name, score in EXAMPLE_SCORES.items():
        assert any(f"e_{name}" in line and f"{score}/18" in line for line in proc.stdout.splitlines()), name


def test_no_attack_finds_the_installed_sources_or_a_neighbour(installed):
    for key in installed["rows"]:
        if key.startswith("s_"):
            text = (installed["out"] / "results" / f"{key}.json").read_text()
            assert LEAK not in text and NEIGHBOUR_MARKER not in text, key
            assert "def probe" not in text and "REFERENCE IMPORTED" not in text, key
    assert installed["rows"]["n_neighbour"]["score"] == "18"


def test_a_python_the_submissions_cannot_read_is_named_to_the_ta(installed, tmp_path):
    """A virtual environment in a private folder: every import in a notebook fails, and the TA is told why."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "full.ipynb").write_bytes((ROOT / "examples" / "full.ipynb").read_bytes())
    os.chmod(installed["prefix"], 0o700)
    try:
        proc = subprocess.run([installed["prefix"] / "bin" / "autograder", "grade", str(tmp_path / "in"),
                               "--out", str(tmp_path / "out")], env=installed["env"], capture_output=True, text=True,
                              timeout=600)
    finally:
        os.chmod(installed["prefix"], 0o755)
    if os.geteuid() != 0:
        pytest.skip("without root, submissions run as this user, who can read this Python")
    assert "cannot read this Python" in " ".join(proc.stdout.split()), proc.stdout[-2000:]
    assert f"o+rX {installed['prefix']}" in " ".join(proc.stdout.split())


def test_a_verb_whose_extra_is_missing_says_what_to_install(installed, tmp_path):
    """The runtime install grades; building the template needs Otter (the dev extra): one line says so."""
    proc = subprocess.run([installed["prefix"] / "bin" / "autograder", "assign", "--master",
                           str(ROOT / "assignment" / "pooling_norms_layers.ipynb"), "--output", str(tmp_path)],
                          env={**installed["env"], "COLUMNS": "400"}, capture_output=True, text=True, timeout=300)
    output = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 2 and "Traceback" not in output, output
    assert "needs otter" in output and "[dev]" in output and len(output.splitlines()) == 1, output

"""Gradescope packaging: the zip's contents, setup.sh's pins, a simulated Gradescope run, and Otter.

The simulated Gradescope unzips ``autograder.zip`` into a folder laid out like ``/autograder``
(``source/``, ``submission/``, ``results/``), runs its ``run_autograder`` with the current
Python and compares results.json with the grading core on the same notebook. The Otter tests
build ``otter_autograder.zip`` from the master and grade the same notebooks with ``otter run``.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest
from gradescope_sim import run_gradescope as _gradescope
from helpers import ROOT, build_submission
from shared_batches import HONEST, contribute

from autograder.checks import ALL_CHECKS, QUESTIONS, max_points
from autograder.files import ZIP_DATE, ZipEntry
from autograder.gradescope import build, otter_compat
from autograder.reporting.results_json import is_written_test

EXAMPLES = sorted((ROOT / "examples").glob("*.ipynb"))
CASES = [p.stem for p in EXAMPLES]
"""The example submissions (examples/), graded by every path."""
TOTAL = max_points()
CORE_RESULTS = HONEST
"""The tests that compare with the core's grades of the examples (graded in the suite's shared batch)."""


@pytest.fixture(scope="module")
def case_notebooks() -> dict[str, Path]:
    assert CASES, "examples/ holds no notebooks: run examples/make_examples.py"
    return {p.stem: p for p in EXAMPLES}


@pytest.fixture(scope="module")
def gradescope_zip(tmp_path_factory, expected_path) -> Path:
    return build.main(out=tmp_path_factory.mktemp("dist") / "autograder.zip")


def _members(path: Path) -> dict[str, zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: info for info in zf.infolist()}


# --------------------------------------------------------------------------- the zip


def test_zip_holds_scripts_pins_measurements_and_packages(gradescope_zip):
    members = _members(gradescope_zip)
    for name in ("setup.sh", "run_autograder", "gradescope-lock.txt",
                 "gradescope_config.json", "expected.json",
                 "autograder/__init__.py", "autograder/gradescope/run.py", "autograder/sandbox/zygote.py",
                 "reference/__init__.py"):
        assert name in members, name
    shipped_py = {p.relative_to(ROOT).as_posix() for folder in ("autograder", "reference")
                  for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts}
    assert shipped_py <= set(members)
    assert not [n for n in members if "__pycache__" in n or n.endswith(".pyc")]
    with zipfile.ZipFile(gradescope_zip) as zf:
        expected = json.loads(zf.read("expected.json"))
        assert expected["fingerprint"] == json.loads((ROOT / "build" / "expected.json").read_text())["fingerprint"]
        assert set(expected["expected"]) == {c.id for c in ALL_CHECKS}


def test_zip_is_deterministic_with_executable_scripts(gradescope_zip, tmp_path):
    again = build.main(out=tmp_path / "again.zip")
    assert again.read_bytes() == gradescope_zip.read_bytes()
    members = _members(gradescope_zip)
    assert list(members) == sorted(members)
    assert {info.date_time for info in members.values()} == {ZIP_DATE}
    for name in ("setup.sh", "run_autograder"):
        assert stat.S_IMODE(members[name].external_attr >> 16) == 0o755, name
    assert stat.S_IMODE(members["gradescope-lock.txt"].external_attr >> 16) == 0o644


@pytest.mark.parametrize("script", ["setup.sh", "run_autograder"])
def test_scripts_are_valid_bash(gradescope_zip, tmp_path, script):
    with zipfile.ZipFile(gradescope_zip) as zf:
        path = tmp_path / script
        path.write_bytes(zf.read(script))
    proc = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_setup_installs_the_lock_and_nothing_else(gradescope_zip, tmp_path):
    """What setup.sh does is tried for real in test_gradescope_image.py; here, what it is made of."""
    source = tmp_path / "source"
    with zipfile.ZipFile(gradescope_zip) as zf:
        zf.extractall(source)
    for name in ("gradescope-lock.txt", "gradescope_config.json"):
        assert (source / name).read_bytes() == (ROOT / name).read_bytes(), name
    text = "\n".join(line for line in (source / "setup.sh").read_text().splitlines() if not line.lstrip().startswith("#"))
    for banned in ("conda", "mamba", "deadsnakes", "add-apt-repository", "texlive", "playwright", "wget", "curl",
                   "constraints.txt", "requirements", "pyproject.toml"):
        assert banned not in text, banned
    assert "--require-hashes" in text and "--no-deps" in text and "--only-binary=:all:" in text
    assert f'PIP_VERSION="{importlib.metadata.version("pip")}"' in text
    assert "apt-get install -y --no-install-recommends python3.11 python3.11-venv" in text


# --------------------------------------------------------------------------- simulated Gradescope


def _assert_not_graded(results: dict, needle: str) -> None:
    assert results["score"] == 0
    assert needle in results["output"], results["output"]
    assert results["stdout_visibility"] == "hidden"
    checks = [t for t in results["tests"] if not is_written_test(t["name"])]
    assert [t["name"] for t in checks] == [c.name for c in ALL_CHECKS]
    assert sum(t["max_score"] for t in checks) == TOTAL
    assert all(t["score"] == 0 for t in results["tests"])


def _untouched_bytes() -> bytes:
    return nbformat.writes(build_submission({})).encode()


BAD_SUBMISSIONS = {
    "empty": ([], "No .ipynb notebook"),
    "two_notebooks": ([("a.ipynb", b"NB"), ("b.ipynb", b"NB")], "several notebooks"),
    "corrupt_json": ([("mine.ipynb", b'{"cells": [')], "not valid notebook JSON"),
    "only_a_pdf": ([("mine.pdf", b"%PDF-1.4")], "mine.pdf"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BAD_SUBMISSIONS))
def test_bad_submission_gets_zero_and_a_reason(gradescope_zip, tmp_path, case):
    files, needle = BAD_SUBMISSIONS[case]
    results, proc, _ = _gradescope(gradescope_zip, tmp_path / "autograder", files)
    _assert_not_graded(results, needle)


@pytest.mark.slow
def test_broken_zip_still_reports(gradescope_zip, tmp_path):
    """Measurements that do not match the shipped checks: a grader error, not a silent regrade."""
    root = tmp_path / "autograder"
    nb = ("mine.ipynb", _untouched_bytes())
    with zipfile.ZipFile(gradescope_zip) as zf:
        zf.extractall(tmp_path / "unpacked")
    expected = tmp_path / "unpacked" / "expected.json"
    payload = json.loads(expected.read_text())
    payload["fingerprint"] = "0" * 64
    expected.write_text(json.dumps(payload))
    broken = tmp_path / "broken.zip"
    build.write_zip([ZipEntry(p.relative_to(tmp_path / "unpacked").as_posix(), p.read_bytes(),
                                 0o755 if p.name in build.SCRIPTS else 0o644)
                     for p in sorted((tmp_path / "unpacked").rglob("*")) if p.is_file()], broken)
    results, proc, _ = _gradescope(broken, root, [nb])
    _assert_not_graded(results, "the autograder failed")
    assert "stale" in proc.stdout  # the TA sees why (stdout is hidden from students)


def test_missing_python_still_reports(gradescope_zip, tmp_path):
    results, proc, _ = _gradescope(gradescope_zip, tmp_path / "autograder", [], python=str(tmp_path / "no-python"))
    assert results["score"] == 0 and "could not run" in results["output"]
    assert "no-python" in proc.stderr


@contribute("examples")
def _examples(folder: Path, solution_answers: dict[str, str]) -> None:
    for notebook in EXAMPLES:
        shutil.copy(notebook, folder / notebook.name)


@pytest.fixture(scope="module")
def core_results(honest_batch):
    """The grading core's verdicts on the same notebooks (what ``python -m autograder grade`` gives)."""
    return honest_batch["examples"]


@CORE_RESULTS
@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_gradescope_grades_like_the_core(gradescope_zip, case_notebooks, core_results, tmp_path, case):
    root = tmp_path / "autograder"
    notebook = case_notebooks[case]
    results, proc, seconds = _gradescope(gradescope_zip, root, [(notebook.name, notebook.read_bytes())])
    print(f"run_autograder on {case}: {seconds:.1f} s")
    ours = core_results[case]
    assert ours.status == "graded", ours.reason
    assert results["score"] == ours.score, results["output"]
    checks = [t for t in results["tests"] if not is_written_test(t["name"])]
    assert [(t["name"], t["score"], t["max_score"]) for t in checks] == [(t.name, t.score, t.points) for t in ours.tests]
    assert all(re.match(r"q\d+: ", t["name"]) for t in results["tests"])
    written = [t for t in results["tests"] if is_written_test(t["name"])]
    assert [t["name"][:3] for t in written] == ["q1:", "q2:"] and {t["visibility"] for t in written} == {"hidden"}
    assert results["output_format"] == "text" and all(t["output_format"] == "text" for t in results["tests"])
    assert results["stdout_visibility"] == "hidden"
    assert "isolation" in proc.stdout  # diagnostics go to the TA-only stdout
    if os.geteuid() == 0:
        for sub in ("source", "results"):
            assert stat.S_IMODE((root / sub).stat().st_mode) == 0o700, sub
        assert '"privileges_dropped": true' in proc.stdout


@CORE_RESULTS
@pytest.mark.slow
def test_otter_export_zip_is_graded(gradescope_zip, case_notebooks, core_results, tmp_path):
    """The zip that grader.export() makes (notebook + log) is graded like the bare notebook."""
    case = CASES[0]
    notebook = case_notebooks[case]
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w") as zf:
        zf.write(notebook, notebook.name)
        zf.writestr(".OTTER_LOG", b"\x80binary")
    results, _, _ = _gradescope(gradescope_zip, tmp_path / "autograder", [("export.zip", export.read_bytes())])
    assert results["score"] == core_results[case].score


# --------------------------------------------------------------------------- Otter


def test_points_check_finds_mismatches():
    tests = {"tests/q1.py": (
        "from otter.test_files import test_case\n"
        "@test_case(points=1, hidden=False)\ndef test_q1_public(x):\n    assert x\n"
        "@test_case(points=2, hidden=True)\ndef test_q1_shift_values(env):\n"
        "    from otter_hidden_checks import run_check\n    run_check('q1_shift_values', env)\n"
        "@test_case(points=1, hidden=True)\ndef test_q1_nothing(env):\n    pass\n")}
    points, problems = otter_compat.test_points(tests)
    assert points == {"q1_shift_values": 2.0}
    assert any("public test test_q1_public is worth 1" in p for p in problems)
    assert any("test_q1_nothing calls no run_check" in p for p in problems)
    entries = [ZipEntry(name, text.encode()) for name, text in tests.items()]
    with pytest.raises(otter_compat.OtterBuildError, match="q1_shift_values is worth 2"):
        otter_compat.check_points(entries)


def test_run_check_passes_the_reference_and_explains_failures(expected_path):
    from autograder.checks.expected import reference_namespaces
    from autograder.gradescope import otter_hidden_checks

    namespace = reference_namespaces()[0]
    for check in ALL_CHECKS:
        otter_hidden_checks.run_check(check.id, namespace)
    with pytest.raises(AssertionError, match=r"q2: .*`LinearWithoutBuild` is not defined"):
        otter_hidden_checks.run_check("q2_call", {})
    cheat = dict(namespace, In=["class resnetBlock(tf.keras.Sequential):\n    pass\n"])
    with pytest.raises(AssertionError, match="not a Model"):
        otter_hidden_checks.run_check("q3_is_custom_layer", cheat)


@pytest.fixture(scope="module")
def otter_zip(tmp_path_factory, expected_path) -> Path:
    return otter_compat.main(out=tmp_path_factory.mktemp("otter") / "otter_autograder.zip", check_solution=False)


@pytest.mark.slow
def test_otter_zip_ships_the_hidden_checks_without_the_reference(otter_zip):
    members = set(_members(otter_zip))
    for name in ("run_autograder", "setup.sh", "environment.yml", "otter_config.json",
                 "files/otter_hidden_checks.py", "files/otter_hidden_expected.json",
                 "files/autograder/checks/__init__.py", "files/autograder/checks/source_rules.py",
                 *(f"tests/{q}.py" for q in QUESTIONS)):
        assert name in members, name
    assert not [n for n in members if "reference" in n.split("/") or "sandbox/zygote" in n]
    with zipfile.ZipFile(otter_zip) as zf:
        config = json.loads(zf.read("otter_config.json"))
        environment = zf.read("environment.yml").decode()
    assert {k: config[k] for k in json.loads((ROOT / "otter_config.json").read_text())} == \
        json.loads((ROOT / "otter_config.json").read_text())
    assert "python=3.11" in environment and "tensorflow-cpu==2.21.0" in environment


@CORE_RESULTS
@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_otter_run_gives_our_total(otter_zip, case_notebooks, core_results, case):
    graded = otter_compat.otter_run(otter_zip, case_notebooks[case])
    ours = core_results[case]
    assert otter_compat.otter_total(graded) == ours.score
    by_question = {t["name"]: t["score"] for t in graded["tests"] if t.get("name") in QUESTIONS}
    assert by_question == {q: earned for q, (earned, _) in ours.question_scores().items()}

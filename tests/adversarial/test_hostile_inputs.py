"""Hostile inputs through the real command line: every input gets its row, nothing reaches the terminal.

Submission names come from students (an Otter zip's member, a Gradescope export's folder and
``submission_metadata.yml``), and so do notebooks' bytes. The grader must write grades.csv and
every report whatever they hold, show them literally in the TA's terminal (no escape
sequences, no Rich markup), and keep spreadsheets from running them as formulas.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile

import nbformat
import pytest
import yaml
from helpers import ROOT, build_submission

pytestmark = pytest.mark.slow

ESC_NAME = "\x1b[2J\x1b[Hfake-line"
MARKUP_NAME = "[bold red]boom[blink]"
FORMULAS = ("=HYPERLINK(\"http://127.0.0.1/\",\"x\")", "\t=1+2", "\r=1+2", " +cmd", "@SUM(1)", "-2+3")


def _nested_json_notebook(depth: int) -> bytes:
    nb = nbformat.writes(build_submission({}))
    return nb.replace('"metadata": {', '"metadata": {"deep": ' + "[" * depth + "]" * depth + ",", 1).encode()


def _notebook_bytes(nb: nbformat.NotebookNode) -> bytes:
    return nbformat.writes(nb).encode()


@pytest.fixture(scope="module")
def graded(tmp_path_factory, solution_answers, expected_path):
    inputs = tmp_path_factory.mktemp("hostile_inputs")
    full = _notebook_bytes(build_submission(solution_answers))
    folder = inputs / "folder"
    folder.mkdir()
    (folder / "a[").mkdir()
    (folder / "a[" / "x].ipynb").write_bytes(full)  # the path reads "a[/x].ipynb": a closing Rich tag
    (folder / f"{MARKUP_NAME}.ipynb").write_bytes(full)
    (folder / f"{ESC_NAME}.ipynb").write_bytes(full)
    os.makedirs(os.fsencode(folder) + b"/caf\xe9", exist_ok=True)
    with open(os.fsencode(folder) + b"/caf\xe9/caf\xe9.ipynb", "wb") as fh:  # not UTF-8: a lone surrogate in Python
        fh.write(full)
    (folder / "deep_metadata.ipynb").write_bytes(_nested_json_notebook(100_000))
    surrogates = nbformat.writes(build_submission(solution_answers, extra_cells=["note = 'CODE-MARK'"],
                                                  written={"q1": "WRITTEN-MARK"}))
    surrogates = surrogates.replace("CODE-MARK", "\\ud800").replace("WRITTEN-MARK", "an answer \\udfff")
    (folder / "lone_surrogates.ipynb").write_text(surrogates)  # JSON escapes of lone surrogates
    (folder / "metadata_is_a_list.ipynb").write_text(json.dumps(
        {"cells": [{"cell_type": "code", "source": "x = 1", "metadata": ["tags"], "outputs": [],
                    "execution_count": None}], "metadata": [], "nbformat": 4, "nbformat_minor": 5}))
    (folder / "cells_not_a_list.ipynb").write_text(json.dumps({"cells": "nope", "metadata": {}, "nbformat": 4,
                                                               "nbformat_minor": 5}))
    with zipfile.ZipFile(folder / "two_members.zip", "w") as zf:
        zf.writestr(f"{ESC_NAME}.ipynb", full)
        zf.writestr(f"{MARKUP_NAME}\x07.ipynb", full)
    export = inputs / "export"
    export.mkdir()
    meta = {}
    for n, name in enumerate(FORMULAS + (ESC_NAME, MARKUP_NAME)):
        sub = export / f"submission_{n}{'[red]' if n == 0 else ''}"
        sub.mkdir()
        (sub / "nb.ipynb").write_bytes(full)
        meta[sub.name] = {":submitters": [{":name": name, ":email": f"{name}@example.edu"}]}
    (export / "submission_metadata.yml").write_text(yaml.safe_dump(meta, allow_unicode=True))
    out = tmp_path_factory.mktemp("hostile_out")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(folder), str(export), "--out", str(out),
         "--workers", "2", "--timeout", "90"],
        cwd=ROOT, env=env, capture_output=True, timeout=900,
    )
    inputs_count = 9 + len(meta)
    return {"proc": proc, "out": out, "count": inputs_count}


def test_grade_succeeds_and_writes_every_output(graded):
    proc = graded["proc"]
    assert proc.returncode == 0, proc.stdout.decode(errors="replace")[-3000:] + proc.stderr.decode(errors="replace")[-3000:]
    out = graded["out"]
    for name in ("grades.csv", "report.html", "index.html", "written/q1.html", "written/q2.html",
                 "written/written_answers.csv"):
        assert (out / name).is_file(), name


def test_every_input_gets_exactly_one_row(graded):
    with open(graded["out"] / "grades.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == graded["count"]
    assert len({r["submission"] for r in rows}) == len(rows)
    statuses = {r["submission"]: r["status"] for r in rows}
    assert statuses["deep_metadata"] == "error"
    assert statuses["cells_not_a_list"] == "error"


def test_names_never_reach_the_terminal_as_control_sequences_or_markup(graded):
    stdout = graded["proc"].stdout.decode("utf-8", "replace") + graded["proc"].stderr.decode("utf-8", "replace")
    assert "\x1b" not in stdout and "\x07" not in stdout
    assert "fake-line" not in stdout.split("\n")[0]


def test_spreadsheets_get_text_not_formulas(graded):
    for name in ("grades.csv", "written/written_answers.csv"):
        with open(graded["out"] / name, newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert cell.lstrip(" \t\r\n")[:1] not in ("=", "+", "-", "@") or cell.startswith("'"), (name, cell)

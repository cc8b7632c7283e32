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
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml
from helpers import ROOT, build_submission, grading_env

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hostile_inputs")]

ESC_NAME = "\x1b[2J\x1b[Hfake-line"
MARKUP_NAME = "[bold red]boom[blink]"
FORMULAS = ("=HYPERLINK(\"http://127.0.0.1/\",\"x\")", "\t=1+2", "\r=1+2", " +cmd", "@SUM(1)", "-2+3")


def _nested_json_notebook(depth: int) -> bytes:
    nb = nbformat.writes(build_submission({}))
    return nb.replace('"metadata": {', '"metadata": {"deep": ' + "[" * depth + "]" * depth + ",", 1).encode()


def _broken_zips(folder: Path, notebook: bytes) -> None:
    """Zips the zipfile module cannot extract: an encrypted member, AES (method 99), corrupt data."""
    for name, patch in (("encrypted", lambda info: setattr(info, "flag_bits", info.flag_bits | 0x1)),
                        ("aes_method_99", lambda info: setattr(info, "compress_type", 99)),
                        ("corrupt_deflate", None)):
        path = folder / f"{name}.zip"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("submission.ipynb", notebook)
        data = bytearray(path.read_bytes())
        if patch is None:
            start = data.index(b"submission.ipynb") + len("submission.ipynb")
            data[start + 10: start + 60] = b"\xff" * 50
        else:
            with zipfile.ZipFile(path) as zf:
                info = zf.infolist()[0]
            patch(info)
            header = data.index(b"PK\x03\x04")
            central = data.index(b"PK\x01\x02")
            for offset in (header + 6, central + 8):  # general purpose flags
                data[offset:offset + 2] = info.flag_bits.to_bytes(2, "little")
            for offset in (header + 8, central + 10):  # compression method
                data[offset:offset + 2] = info.compress_type.to_bytes(2, "little")
        path.write_bytes(bytes(data))


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
    old_style = json.loads(nbformat.writes(build_submission(solution_answers)))  # nbformat 4.4: cells without ids
    for cell in old_style["cells"]:
        cell.pop("id", None)
    old_style["nbformat_minor"] = 4
    (folder / "no_cell_ids.ipynb").write_text(json.dumps(old_style))
    (folder / "metadata_is_a_list.ipynb").write_text(json.dumps(
        {"cells": [{"cell_type": "code", "source": "x = 1", "metadata": ["tags"], "outputs": [],
                    "execution_count": None}], "metadata": [], "nbformat": 4, "nbformat_minor": 5}))
    (folder / "cells_not_a_list.ipynb").write_text(json.dumps({"cells": "nope", "metadata": {}, "nbformat": 4,
                                                               "nbformat_minor": 5}))
    _broken_zips(folder, full)
    big_cell = "x = [" + "1, " * 1_000_000 + "1]\n"  # 3 MB: parsing it in the grader would take GBs
    (folder / "huge_cell.ipynb").write_bytes(_notebook_bytes(build_submission({}, extra_cells=[big_cell] * 2)))
    with open(folder / "huge_sparse.ipynb", "wb") as fh:  # 1.2 GB on disk, nothing on it: never read whole
        fh.truncate(1_200_000_000)
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
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(folder), str(export), "--out", str(out),
         "--workers", "2", "--timeout", "90"],
        cwd=ROOT, env=grading_env(), capture_output=True, timeout=900,
    )
    inputs_count = 15 + len(meta)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"proc": proc, "out": out, "count": inputs_count, "peak_mb": peak_mb}


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
    for key in ("deep_metadata", "cells_not_a_list", "encrypted", "aes_method_99", "corrupt_deflate", "huge_sparse"):
        assert statuses[key] == "error", key
    assert statuses["huge_cell"] in ("graded", "error")


def test_no_input_makes_the_grader_itself_big(graded):
    # the largest process the test has waited for (the grader, its workers): a 3 MB cell parsed in the
    # grader, or a 1.2 GB file read whole, would take gigabytes
    assert graded["peak_mb"] < 2500


def test_names_never_reach_the_terminal_as_control_sequences_or_markup(graded):
    stdout = graded["proc"].stdout.decode("utf-8", "replace") + graded["proc"].stderr.decode("utf-8", "replace")
    assert "\x1b" not in stdout and "\x07" not in stdout
    assert "Warning" not in stdout  # nbformat's MissingIDFieldWarning and friends are not the TA's business
    assert "fake-line" not in stdout.split("\n")[0]


def test_spreadsheets_get_text_not_formulas(graded):
    for name in ("grades.csv", "written/written_answers.csv"):
        with open(graded["out"] / name, newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert cell.lstrip(" \t\r\n")[:1] not in ("=", "+", "-", "@") or cell.startswith("'"), (name, cell)

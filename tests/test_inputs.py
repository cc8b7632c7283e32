"""Finding submissions: every input kind, and bad inputs named clearly."""

from __future__ import annotations

import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.grading.inputs import InputError, discover
from autograder.grading.notebooks import NotebookError, parse_notebook


def _nb(path: Path, source: str = "x = 1") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def test_single_notebook(tmp_path):
    subs = discover([_nb(tmp_path / "alice.ipynb")])
    assert [s.key for s in subs] == ["alice"] and subs[0].data


def test_folder_is_searched_recursively_and_checkpoints_skipped(tmp_path):
    _nb(tmp_path / "a.ipynb")
    _nb(tmp_path / "sec1" / "b.ipynb")
    _nb(tmp_path / ".ipynb_checkpoints" / "a-checkpoint.ipynb")
    assert sorted(s.key for s in discover([tmp_path])) == ["a", "sec1__b"]


def test_otter_zip_yields_its_notebook(tmp_path):
    nb = _nb(tmp_path / "src" / "hw.ipynb")
    zpath = tmp_path / "bob.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.write(nb, "hw.ipynb")
        zf.writestr(".OTTER_LOG", b"binary")
    (sub,) = discover([zpath])
    assert sub.key == "bob" and sub.error is None and b"cells" in sub.data


def test_zip_with_two_notebooks_is_an_error_naming_the_file(tmp_path):
    zpath = tmp_path / "carol.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("a.ipynb", "{}")
        zf.writestr("b.ipynb", "{}")
    (sub,) = discover([zpath])
    assert sub.data is None and "carol.zip" in sub.error and "several notebooks" in sub.error


def test_corrupt_zip_is_an_error_row(tmp_path):
    zpath = tmp_path / "dave.zip"
    zpath.write_bytes(b"not a zip")
    (sub,) = discover([zpath])
    assert "dave.zip" in sub.error


def test_gradescope_export_maps_folders_to_students(tmp_path):
    _nb(tmp_path / "submission_111" / "hw.ipynb")
    (tmp_path / "submission_222").mkdir()
    (tmp_path / "submission_metadata.yml").write_text(
        "submission_111:\n  :submitters:\n  - :name: Ada Lovelace\n    :email: ada@example.edu\n"
        "submission_222:\n  :submitters:\n  - :name: Alan Turing\n    :email: alan@example.edu\n"
    )
    subs = {s.key: s for s in discover([tmp_path])}
    assert subs["submission_111"].student == "Ada Lovelace <ada@example.edu>"
    assert subs["submission_222"].error and "no notebook" in subs["submission_222"].error


def test_duplicate_names_get_unique_keys(tmp_path):
    a = _nb(tmp_path / "x" / "hw.ipynb")
    b = _nb(tmp_path / "y" / "hw.ipynb")
    keys = [s.key for s in discover([a, b])]
    assert len(set(keys)) == 2


def test_a_renamed_duplicate_never_takes_another_inputs_key(tmp_path):
    # "s b" and "s_b" both make the key s_b; the second must not become s_b-2, which s_b-2.ipynb owns
    for name in ("s b", "s_b-2", "s_b"):
        _nb(tmp_path / f"{name}.ipynb")
    subs = discover([tmp_path])
    keys = [s.key for s in subs]
    assert len(set(keys)) == len(keys) == 3
    assert next(s for s in subs if s.source.endswith("s_b-2.ipynb")).key == "s_b-2"


@pytest.mark.parametrize("bad", [Path("does/not/exist.ipynb")])
def test_missing_path_raises(bad):
    with pytest.raises(InputError, match="no such file"):
        discover([bad])


def test_wrong_suffix_raises(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("hi")
    with pytest.raises(InputError, match="notes.txt"):
        discover([p])


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"{not json", "not valid notebook JSON"),
        (b"\xff\xfe\x00", "not a text file"),
        (b"[1, 2]", "without notebook cells"),
        (b'{"cells": "nope", "nbformat": 4}', "not a readable Jupyter notebook"),
    ],
)
def test_bad_notebooks_raise_naming_the_file(data, problem):
    with pytest.raises(NotebookError, match=problem) as info:
        parse_notebook(data, "eve.ipynb")
    assert "eve.ipynb" in str(info.value)


def test_otter_ignore_cells_are_skipped_and_tags_extracted():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("a = 1", metadata={"tags": ["answer:q1"]}),
        nbformat.v4.new_code_cell("train()", metadata={"tags": ["otter_ignore"]}),
        nbformat.v4.new_markdown_cell("Because...", metadata={"tags": ["written:q1"]}),
    ]
    parsed = parse_notebook(nbformat.writes(nb).encode(), "x.ipynb")
    assert [c["source"] for c in parsed.cells] == ["a = 1"]
    assert parsed.written == {"q1": "Because..."}
    assert parsed.answer_sources == {"q1": "a = 1"}

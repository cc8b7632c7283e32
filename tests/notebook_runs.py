"""Run a notebook the way Jupyter does: a fresh kernel of this venv (nbclient), offline.

``execute`` is shared by the tests that run the master and the student notebook; its
``extra_arguments`` reach the kernel's command line (e.g. a Colab-like shell class).
"""

from __future__ import annotations

import copy
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import nbformat
import pytest

NOTEBOOK_TIME_LIMIT_S = 60.0
OFFLINE_PROXY = "http://127.0.0.1:9"  # the discard port: any download fails at once


def execute(nb: nbformat.NotebookNode, workdir: Path, monkeypatch: pytest.MonkeyPatch, *,
            extra_arguments: Sequence[str] = ()) -> tuple[nbformat.NotebookNode, float]:
    """Run every cell in a fresh python3 kernel (this venv's) in ``workdir``, offline; errors raise."""
    from nbclient import NotebookClient

    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(name, OFFLINE_PROXY)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KERAS_HOME", str(workdir / "keras-home"))  # no cached MNIST either
    nb = copy.deepcopy(nb)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import sys\nprint(sys.prefix)"))
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=int(NOTEBOOK_TIME_LIMIT_S),
        allow_errors=False,
        resources={"metadata": {"path": str(workdir)}},
        extra_arguments=list(extra_arguments),
    )
    start = time.monotonic()
    client.execute()
    elapsed = time.monotonic() - start
    assert nb.cells[0].outputs[0]["text"].strip() == sys.prefix, "the kernel is not this venv's Python"
    return nb, elapsed


def output_text(cell: nbformat.NotebookNode) -> str:
    """Everything a cell printed or displayed, as text."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output["text"])
        else:
            parts.extend(str(v) for v in output.get("data", {}).values())
    return "".join(parts)

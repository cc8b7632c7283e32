"""Running notebook cells in the sandbox child: errors and exits are contained per cell."""

from __future__ import annotations

import sys

import pytest

from autograder.execution import CodeCell, install_otter_stub, run_cells


def _run(*sources: str, budget: float = 0) -> tuple[dict, list]:
    ns: dict = {}
    log = run_cells([CodeCell(i, s) for i, s in enumerate(sources)], ns, cell_budget_s=budget)
    return ns, log.cells


@pytest.mark.parametrize(
    ("bad", "kind"),
    [
        ("raise ValueError('boom')", "ValueError"),
        ("import sys\nsys.exit(0)", "SystemExit"),
        ("raise KeyboardInterrupt", "KeyboardInterrupt"),
        ("def f(:\n  pass", "SyntaxError"),
    ],
)
def test_a_failing_cell_is_recorded_and_the_next_still_runs(bad, kind):
    ns, cells = _run("a = 1", bad, "b = a + 1")
    assert ns["b"] == 2
    assert cells[1].error["type"] == kind and cells[0].error is None and cells[2].error is None


def test_a_slow_cell_is_interrupted_and_the_next_runs():
    ns, cells = _run("import time\nwhile True:\n    time.sleep(0.01)", "done = True", budget=0.5)
    assert cells[0].error["type"] == "Timeout" and ns["done"] is True


def test_magics_and_shell_commands_are_ignored():
    ns, cells = _run("%matplotlib inline\n!pip install nothing\nx = 3", "%%time\ny = 4")
    assert ns["x"] == 3 and all(c.error is None for c in cells)


def test_otter_is_stubbed_while_grading():
    saved = sys.modules.get("otter")
    try:
        install_otter_stub()
        ns, cells = _run("import otter\ngrader = otter.Notebook('x.ipynb')\nr = grader.check('q1')\ngrader.export()")
        assert cells[0].error is None and ns["r"] is None
    finally:
        if saved is not None:
            sys.modules["otter"] = saved
        else:
            sys.modules.pop("otter", None)

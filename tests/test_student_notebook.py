"""The student notebook, solved, runs top to bottom with every public check passing, wherever it runs.

Three ways students open it, each run the way that platform does (a real kernel through
nbclient, offline):

- in Jupyter, as handed out;
- renamed, as a browser's download names it (``pooling_norms_layers (1).ipynb``);
- on Colab: the kernel's shell is a ``google.colab._shell.Shell`` (how Otter recognises
  Colab) and the notebook file is not in the working directory.

The solved notebook's ``train_step`` is compiled with ``@tf.function`` in one run, so that the
notebook's own training loop is shown to work with it too.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from helpers import QUESTIONS, ROOT, build_submission
from notebook_runs import NOTEBOOK_TIME_LIMIT_S, execute, output_text

pytestmark = pytest.mark.slow

TF_FUNCTION_STEP = (ROOT / "tests" / "corpus" / "alternatives" / "q4_tf_function_step.py").read_text()
FAKE_COLAB = {
    "_shell.py": '''\
"""Stands in for Colab's IPython shell: Otter recognises Colab by this class's module."""
from ipykernel.zmqshell import ZMQInteractiveShell


class Shell(ZMQInteractiveShell):
    pass
''',
    "_kernel.py": '''\
"""Stands in for Colab's kernel, which runs its own shell class."""
from ipykernel.ipkernel import IPythonKernel
from traitlets import Type

from google.colab import _shell


class Kernel(IPythonKernel):
    shell_class = Type(_shell.Shell)
''',
}


def _solved(solution_answers: dict[str, str], *, tf_function: bool = False) -> nbformat.NotebookNode:
    answers = dict(solution_answers)
    if tf_function:
        answers["q4"] = TF_FUNCTION_STEP
    return build_submission(answers)


def _check_outputs(nb: nbformat.NotebookNode) -> dict[str, str]:
    return {q: output_text(next(c for c in nb.cells if c.source == f'grader.check("{q}")')) for q in QUESTIONS}


def _assert_all_public_checks_pass(nb: nbformat.NotebookNode) -> None:
    for question, text in _check_outputs(nb).items():
        assert "All test cases passed" in text and "❌" not in text, (question, text)


@pytest.mark.parametrize("name", ["pooling_norms_layers.ipynb", "pooling_norms_layers (1).ipynb"])
def test_solved_notebook_passes_its_checks_in_jupyter_under_any_name(tmp_path, monkeypatch, solution_answers, name):
    nb = _solved(solution_answers, tf_function=name.endswith("(1).ipynb"))
    nbformat.write(nb, str(tmp_path / name))
    ran, elapsed = execute(nbformat.read(str(tmp_path / name), as_version=4), tmp_path, monkeypatch)
    _assert_all_public_checks_pass(ran)
    everything = "\n".join(output_text(c) for c in ran.cells)
    assert "accuracy on the 300 held-out images" in everything  # the training loop ran with this train_step
    assert "oneDNN" not in everything and "absl::InitializeLog" not in everything
    assert list(tmp_path.glob("*.zip")), "grader.export() made no zip"
    assert elapsed < 2 * NOTEBOOK_TIME_LIMIT_S


def test_solved_notebook_passes_its_checks_on_colab(tmp_path, monkeypatch, solution_answers):
    fake = tmp_path / "fake-colab"
    (fake / "google" / "colab").mkdir(parents=True)  # no google/__init__.py: protobuf's google stays importable
    (fake / "google" / "colab" / "__init__.py").write_text("")
    for name, text in FAKE_COLAB.items():
        (fake / "google" / "colab" / name).write_text(text)
    monkeypatch.setenv("PYTHONPATH", str(fake))
    work = tmp_path / "content"  # Colab's working directory: the notebook file is not there
    work.mkdir()
    nb = _solved(solution_answers)
    nb.cells.insert(0, nbformat.v4.new_code_cell("print('shell:', get_ipython())"))
    ran, _ = execute(nb, work, monkeypatch, extra_arguments=["--IPKernelApp.kernel_class=google.colab._kernel.Kernel"])
    assert "google.colab._shell.Shell" in output_text(ran.cells[1])
    assert not list(work.glob("*.ipynb"))
    _assert_all_public_checks_pass(ran)
    export = output_text(next(c for c in ran.cells if "grader.export(" in c.source))
    assert "No zip was made" in export and "Download .ipynb" in export


def test_the_public_tests_need_no_notebook_metadata(template_path=ROOT / "student_template" / "pooling_norms_layers.ipynb"):
    """The setup cell carries the public tests itself (Otter reads ./tests on Colab)."""
    nb = nbformat.read(str(template_path), as_version=4)
    setup = nb.cells[0].source
    for question in QUESTIONS:
        assert f"'{question}': 'from otter.test_files import test_case" in setup
    assert "otter-grader==" in setup and "otter.Notebook(" in setup


def test_running_the_template_in_place_leaves_nothing_git_would_hand_out():
    ignore = (ROOT / ".gitignore").read_text().splitlines()
    for leftover in ("student_template/tests/", "student_template/.OTTER_LOG", "student_template/*.zip"):
        assert leftover in ignore


def test_setup_cell_installs_otter_only_when_it_is_missing(tmp_path: Path):
    """The first cell's install branch, with Otter made unimportable and pip recorded."""
    import sys
    import types

    setup = nbformat.read(str(ROOT / "student_template" / "pooling_norms_layers.ipynb"), as_version=4).cells[0].source
    calls: list[tuple] = []
    shell = types.SimpleNamespace(run_line_magic=lambda *args: calls.append(args))
    saved = sys.modules.get("otter")
    fake_otter = types.SimpleNamespace(Notebook=lambda *a, **k: ("notebook", a, k))

    class Finder:
        installed = False

        def find_spec(self, name, path=None, target=None):
            if name == "otter" and not Finder.installed:
                Finder.installed = True  # the first import fails, the one after "pip install" works
                raise ModuleNotFoundError("No module named 'otter'")
            return None

    finder = Finder()
    sys.modules.pop("otter", None)
    sys.meta_path.insert(0, finder)
    try:
        namespace = {"get_ipython": lambda: shell, "__name__": "__main__"}
        cwd = Path.cwd()
        import os
        os.chdir(tmp_path)
        try:
            def fake_import_after_install(*args):
                calls.append(args)
                sys.modules["otter"] = fake_otter
            shell.run_line_magic = fake_import_after_install
            exec(compile(setup, "setup", "exec"), namespace)
        finally:
            os.chdir(cwd)
    finally:
        sys.meta_path.remove(finder)
        if saved is not None:
            sys.modules["otter"] = saved
        else:
            sys.modules.pop("otter", None)
    assert calls == [("pip", "install --quiet otter-grader==7.0.0")]
    assert sorted(p.name for p in (tmp_path / "tests").iterdir()) == [f"{q}.py" for q in QUESTIONS]

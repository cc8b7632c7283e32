"""What the private root shows and hides (``RootPlan``), decided before any mount.

The mounts themselves are exercised by the adversarial suite; these are the decisions behind
them, for the layouts a grader is installed in: a checkout with its ``.venv``, a package in
``site-packages``, a worker started from its own folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from autograder.sandbox.rootfs import RootPlan, _hideable


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    for folder in ("checkout/.venv/lib/site-packages", "checkout/autograder", "checkout/build",
                   "venv/lib/site-packages/autograder", "venv/lib/site-packages/reference", "venv/lib/site-packages/numpy"):
        (tmp_path / folder).mkdir(parents=True)
    return tmp_path


def test_a_package_installed_in_site_packages_is_hidden(layout):
    site = str(layout / "venv/lib/site-packages")
    hidden = [f"{site}/autograder", f"{site}/reference"]
    assert _hideable(hidden, keep=[str(layout / "venv"), site]) == hidden


def test_a_checkout_holding_the_python_hides_everything_but_the_python(layout):
    checkout = layout / "checkout"
    keep = [str(checkout / ".venv"), str(checkout / ".venv/lib/site-packages")]
    assert _hideable([str(checkout)], keep) == [str(checkout / "autograder"), str(checkout / "build")]


def test_the_python_itself_is_never_hidden(layout):
    site = str(layout / "venv/lib/site-packages")
    assert _hideable([site], keep=[site]) == []


def test_the_workers_own_folder_is_not_shown(layout, monkeypatch):
    """``python -m`` puts the working folder on ``sys.path``; it holds the worker's files, not code."""
    workdir = layout / "worker-home"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setattr(sys, "path", [str(workdir), *sys.path])
    plan = RootPlan.for_this_python(str(layout / "root"), hidden=[], scratch_mb=16)
    assert not [v for v in plan.visible if Path(v) == workdir or workdir.is_relative_to(v)]


def test_a_folder_on_sys_path_is_shown(layout, monkeypatch):
    extra = layout / "venv/lib/site-packages/numpy"
    monkeypatch.setattr(sys, "path", [str(extra), *sys.path])
    plan = RootPlan.for_this_python(str(layout / "root"), hidden=[], scratch_mb=16)
    assert any(extra.is_relative_to(v) for v in plan.visible)

"""The rules by which the leftover checks excuse what another test worker's running batch has made."""

from __future__ import annotations

import os
import subprocess

import pytest
import shared_machine
from shared_machine import SANDBOX_UIDS, leftover_cgroups, leftover_files, leftover_processes

MARK = "600.0418"
"""A sleep nothing else on the machine runs."""


@pytest.fixture
def child():
    """A live process of this test (as a zygote is of its test worker)."""
    proc = subprocess.Popen(["sleep", MARK])
    yield proc
    proc.kill()
    proc.wait()


@pytest.mark.parametrize("workers_are_us", [False, True])
def test_a_process_is_excused_only_under_another_live_worker(monkeypatch, child, workers_are_us):
    monkeypatch.setattr(shared_machine, "other_workers", lambda: {os.getpid()} if workers_are_us else set())
    found = [pid for pid, _ in leftover_processes(uids=None, cmdline_prefix=["sleep", MARK])]
    assert found == ([] if workers_are_us else [child.pid])


def test_a_zygotes_folder_is_excused_while_it_runs_for_another_worker(monkeypatch, tmp_path, child):
    monkeypatch.setattr(shared_machine, "other_workers", lambda: {os.getpid()})
    running = tmp_path / f"autograder-root-{child.pid}-abc"
    dead = tmp_path / "autograder-work-999999999-abc"
    unnamed = tmp_path / "autograder-root-xyz"
    hog = tmp_path / "ag-hog-1"
    for folder in (running, dead, unnamed, hog):
        folder.mkdir()
    expected = [dead, unnamed, hog]
    if os.geteuid() == 0:  # a submission's file outside its private /tmp: never excused
        stray = tmp_path / "stray"
        stray.write_text("x")
        os.chown(stray, SANDBOX_UIDS[0], SANDBOX_UIDS[0])
        expected.append(stray)
    assert sorted(f.split(" (")[0] for f in leftover_files([str(tmp_path)])) == sorted(str(p) for p in expected)
    child.kill()
    child.wait()
    assert any(f.startswith(f"{running} (") for f in leftover_files([str(tmp_path)]))


def test_a_zygotes_cgroup_is_excused_while_it_runs_for_another_worker(monkeypatch, tmp_path, child):
    mount = tmp_path / "cgroup"
    (mount / "parent" / f"autograder-{child.pid}" / "job-1").mkdir(parents=True)
    (mount / "autograder-999999999").mkdir()
    monkeypatch.setattr(shared_machine, "other_workers", lambda: {os.getpid()})
    assert [c.split(" (")[0] for c in leftover_cgroups([mount, tmp_path / "absent"])] == [str(mount / "autograder-999999999")]
    monkeypatch.setattr(shared_machine, "other_workers", set)
    assert len(leftover_cgroups([mount])) == 2


def test_without_xdist_there_is_no_other_worker(monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert shared_machine.other_workers() == set()

"""The suite's test workers share one machine (pytest-xdist): what belongs to whom, and when it is quiet.

Some checks scan the whole machine for what a finished batch left behind. With two test
workers, the other worker's batch may be running while one worker scans, and its processes,
folders and cgroups are not leftovers. Two rules keep every such check as strict as it is
when the suite runs in one process:

- **Processes** are attributed by ancestry. Every grader a test starts is a child of its test
  worker, every warm worker (zygote) a child of a grader, and the zygote is a child subreaper:
  whatever a submission forks, orphans and daemons included, stays its descendant until the
  zygote kills it. So a process is another batch's exactly when another live test worker is
  one of its ancestors; anything that escaped to init is never excused. Nothing waits, so a
  survivor that would die by itself a little later is still caught.
- **Folders and cgroups** do not die by themselves, so a check of them waits for a quiet
  machine: :func:`quiet_machine` takes the exclusive side of a lock whose shared side every
  test holds while it runs (the conftest's hook), and so does every fixture that keeps
  graders alive between tests (the Dask cluster). A turnstile keeps the waiting check from
  being starved by a stream of short tests.

Without xdist there are no other workers and the lock is never contended: the checks are
exactly what they were.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import psutil

from autograder.sandbox.uids import BLOCK_COUNT, BLOCK_SIZE, SANDBOX_UID_BASE

SANDBOX_UIDS = range(SANDBOX_UID_BASE, SANDBOX_UID_BASE + BLOCK_SIZE * BLOCK_COUNT)
LOCK_DIR = Path("/tmp/autograder-test-workers")
"""Shared by every test run of this machine (their scans would see each other's batches too)."""


def other_workers() -> set[int]:
    """Pids of the other live test workers of this run (none without xdist)."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return set()
    try:
        siblings = psutil.Process(os.getppid()).children()
    except psutil.Error:
        return set()
    return {p.pid for p in siblings if p.pid != os.getpid()}


def belongs_to_another_worker(pid: int, workers: set[int]) -> bool:
    """Whether one of ``pid``'s ancestors is one of ``workers`` (so its batch is still running)."""
    if not workers:
        return False
    for _ in range(3):
        try:
            return any(parent.pid in workers for parent in psutil.Process(pid).parents())
        except psutil.Error:  # an ancestor exited while we walked up: walk again
            if not psutil.pid_exists(pid):
                return True  # gone itself: not a leftover either
    return False


def leftover_processes(*, uids: range | None = SANDBOX_UIDS, cmdline_prefix: list[str] | None = None,
                       cmdline_contains: str | None = None) -> list[tuple[int, list[str]]]:
    """Processes that match and are no other test worker's: (pid, command line) of each.

    Args:
        uids: match a real uid in this range (None: any uid).
        cmdline_prefix: match command lines that start with these words.
        cmdline_contains: match command lines that contain this text.
    """
    workers = other_workers()
    found = []
    for proc in psutil.process_iter(["uids", "cmdline"]):
        info_uids, cmdline = proc.info["uids"], proc.info["cmdline"] or []
        if uids is not None and not (info_uids and info_uids.real in uids):
            continue
        if cmdline_prefix is not None and cmdline[:len(cmdline_prefix)] != cmdline_prefix:
            continue
        if cmdline_contains is not None and cmdline_contains not in " ".join(cmdline):
            continue
        if proc.pid != os.getpid() and not belongs_to_another_worker(proc.pid, workers):
            found.append((proc.pid, cmdline))
    return found


class MachineLock:
    """A readers-writer lock across the test workers of this machine (``flock``, with a turnstile).

    Shared holds nest within one process (a test inside a fixture that holds the machine);
    :meth:`exclusive` gives up this process's own shared hold while it waits, so two workers
    that both want the machine quiet cannot deadlock.
    """

    def __init__(self, folder: Path = LOCK_DIR) -> None:
        self.folder = folder
        self._files: dict[str, IO[str]] = {}
        self._depth = 0

    def _file(self, name: str) -> IO[str]:
        if name not in self._files:
            self.folder.mkdir(mode=0o1777, exist_ok=True)
            self._files[name] = open(self.folder / f"{name}.lock", "a")  # noqa: SIM115 - held for the process
        return self._files[name]

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        """Hold the machine as one of its users (graders of this process may run)."""
        if self._depth == 0:
            turnstile = self._file("turnstile")
            fcntl.flock(turnstile, fcntl.LOCK_EX)  # waits while a quiet check is queued
            fcntl.flock(turnstile, fcntl.LOCK_UN)
            fcntl.flock(self._file("machine"), fcntl.LOCK_SH)
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                fcntl.flock(self._file("machine"), fcntl.LOCK_UN)

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Wait until no other test worker holds the machine, and keep it so meanwhile."""
        machine, turnstile = self._file("machine"), self._file("turnstile")
        fcntl.flock(machine, fcntl.LOCK_UN)
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        try:
            fcntl.flock(machine, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(machine, fcntl.LOCK_SH if self._depth else fcntl.LOCK_UN)
        finally:
            fcntl.flock(turnstile, fcntl.LOCK_UN)


MACHINE = MachineLock()
"""This process's handle (one per test worker)."""


def quiet_machine() -> contextlib.AbstractContextManager[None]:
    """No other test worker is running a test (or keeping graders alive) while this is held."""
    return MACHINE.exclusive()

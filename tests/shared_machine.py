"""The suite's test workers share one machine (pytest-xdist): what belongs to whom.

Some checks scan the whole machine for what a finished batch left behind: processes,
folders in ``/tmp``, cgroups. With several test workers, another worker's batch may be
running while one worker scans, and what it has made is not a leftover. Everything a grader
makes is attributed to the process that made it, and excused only if that process is alive
and descends from another live test worker, so each check is exactly as strict as when the
suite runs in one process:

- Every grader a test starts is a child of its test worker, every warm worker (zygote) a
  child of a grader, and the zygote is a child subreaper: whatever a submission forks,
  orphans and daemons included, stays its descendant until the zygote kills it. A process
  that escaped to init is never excused, and nothing waits, so a survivor that would die by
  itself a little later is still caught.
- A zygote names its folders (``autograder-root-<pid>-*``, and ``autograder-work-<pid>-*``, which
  belongs to the job's uid) and its cgroup (``autograder-<pid>``) after itself.
- Any other file that a sandbox uid owns outside a private ``/tmp`` is never excused: only the
  container fallback (no mount namespace) can make one while it runs, and its tests run in the
  same worker as the checks that look for them (one xdist group).

Without xdist there are no other workers and nothing is excused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import psutil

from autograder.sandbox.uids import BLOCK_COUNT, BLOCK_SIZE, SANDBOX_UID_BASE

SANDBOX_UIDS = range(SANDBOX_UID_BASE, SANDBOX_UID_BASE + BLOCK_SIZE * BLOCK_COUNT)
SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm")
_ZYGOTE_FOLDER = re.compile(r"autograder-(?:root|work)-(\d+)-")
_ZYGOTE_CGROUP = re.compile(r"autograder-(\d+)$")


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
    """Whether ``pid`` is alive and one of ``workers`` is among its ancestors (its batch is running)."""
    if not workers:
        return False
    for _ in range(3):
        try:
            return any(parent.pid in workers for parent in psutil.Process(pid).parents())
        except psutil.NoSuchProcess:
            if not psutil.pid_exists(pid):
                return False  # a dead owner's things are leftovers
        except psutil.Error:
            return False
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
        if proc.pid != os.getpid() and not belongs_to_another_worker(proc.pid, workers) and proc.is_running():
            found.append((proc.pid, cmdline))
    return found


def leftover_files(folders: Iterable[str] = SHARED_TMP) -> list[str]:
    """Entries of the shared temporary folders that a grader or a submission left behind.

    A zygote's folders are excused while their zygote runs for another worker; anything a
    sandbox uid owns, or an attack's ``ag-hog-`` file, never is.
    """
    workers = other_workers()
    found = []
    for folder in folders:
        for entry in os.scandir(folder):
            ours = _ZYGOTE_FOLDER.match(entry.name)
            if ours:  # a job's folder belongs to its submission's uid: the zygote's name comes first
                if not belongs_to_another_worker(int(ours.group(1)), workers):
                    found.append(f"{entry.path} ({_whose(int(ours.group(1)), workers)})")
            elif (entry.stat(follow_symlinks=False).st_uid in SANDBOX_UIDS
                  or entry.name.startswith(("ag-hog-", "autograder-root-", "autograder-work-"))):
                found.append(entry.path)
    return found


def _whose(pid: int, workers: set[int]) -> str:
    """Where ``pid`` is, for the message of a failed check: its command line and its ancestors."""
    try:
        proc = psutil.Process(pid)
        line = [f"{p.pid} {' '.join(p.cmdline())[:60]}" for p in [proc, *proc.parents()]]
    except psutil.Error as exc:
        return f"pid {pid}: {type(exc).__name__}; other workers {sorted(workers)}"
    return f"other workers {sorted(workers)}; " + " <- ".join(line)


def leftover_cgroups(mounts: Iterable[Path]) -> list[str]:
    """Grader cgroups (``autograder-<zygote pid>``) whose zygote is not running for another worker."""
    workers = other_workers()
    found = []
    for mount in mounts:
        if not mount.is_dir():
            continue
        for path in mount.rglob("autograder-*"):
            ours = _ZYGOTE_CGROUP.match(path.name)
            if not (ours and belongs_to_another_worker(int(ours.group(1)), workers)):
                found.append(f"{path} ({_whose(int(ours.group(1)), workers) if ours else 'no pid'})")
    return found

"""Sandbox user ids: claimed per warm worker, rotated per submission, never reused while alive.

When the grader runs as root, each submission runs as an unprivileged uid of its own. A
warm worker claims a block of uids with an exclusive ``flock`` (released by the kernel if
the worker dies), so two graders on one machine never share one, and hands the next uid of
its block to each submission. A uid that still has a process (of any earlier submission,
whatever it did to survive) is killed as a whole with ``kill(-1, SIGKILL)`` from a process
running as that uid, which the kernel applies atomically to every process of the uid (a
fork chain cannot slip through), and skipped if anything remains.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import time
from pathlib import Path
from typing import IO

SANDBOX_UID_BASE = 1_500_000_000
"""Far above the ranges that systems hand out (users, systemd DynamicUser 61184-65519, subuids)."""
BLOCK_SIZE = 16
BLOCK_COUNT = 250
UID_LOCK_DIR = Path("/tmp/autograder-sandbox-uids")
"""Where warm workers claim blocks: one folder for every grader of the machine, whatever its ``TMPDIR``."""


class NoFreeUid(RuntimeError):
    """Every sandbox uid block is taken (or every uid of ours still has processes)."""


def processes_of(uid: int) -> list[int]:
    """Pids whose real, effective, saved or filesystem uid is ``uid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as handle:
                for line in handle:
                    if line.startswith("Uid:"):
                        if str(uid) in line.split()[1:]:
                            found.append(int(entry))
                        break
        except OSError:
            continue
    return found


def kill_all_of(uid: int) -> bool:
    """Kill every process of ``uid`` (root only); returns whether none is left.

    A forked helper becomes ``uid`` and calls ``kill(-1, SIGKILL)``: the kernel signals
    every process that uid may signal, under one lock, and refuses forks of a process with
    a pending SIGKILL, so processes that keep changing their pid are caught too.
    """
    for _ in range(20):
        if not processes_of(uid):
            return True
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the helper
            try:
                os.setgroups([])
                os.setresgid(uid, uid, uid)
                os.setresuid(uid, uid, uid)
                for _ in range(100):
                    try:
                        os.kill(-1, signal.SIGKILL)
                    except ProcessLookupError:
                        break
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.02)
    return not processes_of(uid)


class UidBlock:
    """A block of sandbox uids held by one warm worker.

    Args:
        slot: the worker's number; its preferred block (others are tried when taken).
    """

    def __init__(self, slot: int) -> None:
        self._lock: IO[str] | None = None
        self.first = 0
        UID_LOCK_DIR.mkdir(mode=0o700, exist_ok=True)
        for offset in range(BLOCK_COUNT):
            block = (slot + offset) % BLOCK_COUNT
            handle = open(UID_LOCK_DIR / f"block-{block}.lock", "w")  # noqa: SIM115 - held for the worker's life
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            self._lock = handle
            self.first = SANDBOX_UID_BASE + block * BLOCK_SIZE
            break
        else:
            raise NoFreeUid("every sandbox uid block is in use by another grader")
        self._next = 0

    def take(self) -> int:
        """The next uid of the block with no process alive (killing leftovers first).

        Raises:
            NoFreeUid: if every uid of the block keeps processes that cannot be killed.
        """
        for _ in range(BLOCK_SIZE):
            uid = self.first + self._next
            self._next = (self._next + 1) % BLOCK_SIZE
            if kill_all_of(uid):
                return uid
        raise NoFreeUid(f"every uid of block {self.first}..{self.first + BLOCK_SIZE - 1} still has processes")

    def close(self) -> None:
        """Release the block."""
        if self._lock is not None:
            with contextlib.suppress(OSError):
                self._lock.close()
            self._lock = None

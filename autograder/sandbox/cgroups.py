"""One control group per submission: memory and CPU accounted and limited as a whole.

A submission's processes, its private tmpfs and its shared memory are all charged to its
cgroup, so ``--memory`` covers what RSS alone misses (files in ``/dev/shm``, ``memfd``,
SysV segments), and sibling cgroups of equal weight share the CPU fairly: a submission
that starts busy processes slows itself, not its neighbour.

Both kernel interfaces are supported, when this process may write to them (root):

- cgroup v2 (the unified hierarchy): ``<root>/autograder-<pid>/job-<n>`` with ``memory.max``,
  ``memory.swap.max``, ``memory.oom.group``, ``pids.max``, ``cpu.weight``; ``cgroup.kill``.
- cgroup v1: the same layout under this process's own group in the ``memory``, ``cpu`` and
  ``pids`` hierarchies (``memory.limit_in_bytes``, ``cpu.shares``, ``pids.max``).

Where neither is writable (a container with a read-only ``/sys/fs/cgroup``, no root),
:func:`detect` returns None and the warm worker falls back to its own RSS watchdog.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

CGROUP_ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "cpu", "pids")
V2_CONTROLLERS = ("memory", "cpu", "pids")


def _write(path: Path, value: str) -> None:
    with open(path, "w") as handle:
        handle.write(value)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _own_paths() -> dict[str, str]:
    """This process's cgroup path per v1 controller, and ``""`` for the v2 hierarchy."""
    paths: dict[str, str] = {}
    for line in _read(Path("/proc/self/cgroup")).splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        for controller in parts[1].split(",") if parts[1] else [""]:
            paths[controller] = parts[2]
    return paths


def _mounts() -> dict[str, Path]:
    """Mount point of the v2 hierarchy (key ``""``) and of each v1 controller."""
    found: dict[str, Path] = {}
    for line in _read(Path("/proc/self/mountinfo")).splitlines():
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        point, fstype, options = Path(fields[4]), tail[0], tail[2].split(",")
        if fstype == "cgroup2":
            found.setdefault("", point)
        elif fstype == "cgroup":
            for controller in V1_CONTROLLERS:
                if controller in options:
                    found.setdefault(controller, point)
    return found


@dataclass(frozen=True)
class JobCgroup:
    """The cgroup(s) of one running submission.

    Attributes:
        version: 1 or 2.
        dirs: its folder in each hierarchy (one for v2; memory, cpu, pids for v1).
    """

    version: int
    dirs: tuple[Path, ...]

    def add(self, pid: int) -> None:
        """Move ``pid`` (and so every process it starts later) into the group."""
        for folder in self.dirs:
            _write(folder / "cgroup.procs", str(pid))

    @property
    def _memory(self) -> Path:
        return self.dirs[0]

    def memory_bytes(self) -> int:
        """Memory charged to the group now (processes, tmpfs, shared memory)."""
        name = "memory.current" if self.version == 2 else "memory.usage_in_bytes"
        text = _read(self._memory / name).strip()
        return int(text) if text.isdigit() else 0

    def peak_bytes(self) -> int:
        """Highest memory charged so far (0 when the kernel does not record it)."""
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        text = _read(self._memory / name).strip()
        return int(text) if text.isdigit() else 0

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process of the group for exceeding its memory."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        for line in _read(self._memory / name).splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill" and value.strip().isdigit():
                return int(value) > 0
        return self.version == 1 and _read(self._memory / "memory.failcnt").strip() not in ("", "0")

    def pids(self) -> list[int]:
        """Processes in the group now."""
        out: set[int] = set()
        for folder in self.dirs:
            out.update(int(p) for p in _read(folder / "cgroup.procs").split() if p.isdigit())
        return sorted(out)

    def kill(self) -> None:
        """SIGKILL every process of the group (``cgroup.kill`` where the kernel has it)."""
        if self.version == 2 and (self.dirs[0] / "cgroup.kill").exists():
            with contextlib.suppress(OSError):
                _write(self.dirs[0] / "cgroup.kill", "1")
            return
        for _ in range(50):
            victims = self.pids()
            if not victims:
                return
            for pid in victims:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)

    def remove(self) -> None:
        """Delete the group's folders (waits briefly for the last processes to go)."""
        for folder in self.dirs:
            for _ in range(100):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
            else:
                log.warning("could not remove cgroup %s", folder)


class Cgroups:
    """Where this warm worker creates its submissions' groups.

    Args:
        version: 1 or 2.
        parents: the worker's own folder in each hierarchy (created by :func:`detect`).
    """

    def __init__(self, version: int, parents: tuple[Path, ...]) -> None:
        self.version = version
        self.parents = parents

    def create(self, name: str, *, memory_mb: int, max_processes: int) -> JobCgroup:
        """A new group for one submission, with its limits set.

        Raises:
            OSError: if the kernel refuses (the caller then runs without a group).
        """
        dirs = tuple(parent / name for parent in self.parents)
        for folder in dirs:
            folder.mkdir(exist_ok=True)
        limit = str(memory_mb * 1024 * 1024)
        job = JobCgroup(self.version, dirs)
        try:
            if self.version == 2:
                folder = dirs[0]
                _write(folder / "memory.max", limit)
                for name_, value in (("memory.swap.max", "0"), ("memory.oom.group", "1"), ("cpu.weight", "100")):
                    if (folder / name_).exists():
                        _write(folder / name_, value)
                _write(folder / "pids.max", str(max_processes))
            else:
                memory, cpu, pids = dirs
                _write(memory / "memory.limit_in_bytes", limit)
                if (memory / "memory.memsw.limit_in_bytes").exists():
                    with contextlib.suppress(OSError):
                        _write(memory / "memory.memsw.limit_in_bytes", limit)
                _write(cpu / "cpu.shares", "1024")
                _write(pids / "pids.max", str(max_processes))
        except OSError:
            job.remove()
            raise
        return job

    def close(self) -> None:
        """Remove the worker's own folders (after its last submission)."""
        for parent in self.parents:
            for child in parent.glob("job-*"):
                with contextlib.suppress(OSError):
                    child.rmdir()
            with contextlib.suppress(OSError):
                parent.rmdir()


def detect(tag: str) -> Cgroups | None:
    """Set up this worker's cgroup folders, or None when this machine does not allow it.

    Args:
        tag: a name unique to this worker (e.g. ``autograder-<pid>``).
    """
    if os.geteuid() != 0:
        return None
    mounts, own = _mounts(), _own_paths()
    v2 = mounts.get("")
    if v2 is not None and _read(v2 / "cgroup.controllers").split():
        parent = v2 / tag  # the root cgroup may hold processes and enable controllers for its children
        wanted = [c for c in V2_CONTROLLERS if c in _read(v2 / "cgroup.controllers").split()]
        if set(wanted) == set(V2_CONTROLLERS):
            try:
                enabled = _read(v2 / "cgroup.subtree_control").split()
                missing = [c for c in wanted if c not in enabled]
                if missing:
                    _write(v2 / "cgroup.subtree_control", " ".join(f"+{c}" for c in missing))
                parent.mkdir(exist_ok=True)
                _write(parent / "cgroup.subtree_control", " ".join(f"+{c}" for c in wanted))
                return Cgroups(2, (parent,))
            except OSError as exc:
                log.info("cgroup v2 not usable here: %s", exc)
                with contextlib.suppress(OSError):
                    parent.rmdir()
    if all(c in mounts for c in V1_CONTROLLERS):
        parents = []
        try:
            for controller in V1_CONTROLLERS:
                base = mounts[controller] / own.get(controller, "/").lstrip("/")
                parent = base / tag
                parent.mkdir(exist_ok=True)
                parents.append(parent)
            return Cgroups(1, tuple(parents))
        except OSError as exc:
            log.info("cgroup v1 not usable here: %s", exc)
            for parent in parents:
                with contextlib.suppress(OSError):
                    parent.rmdir()
    return None

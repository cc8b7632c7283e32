"""What the Gradescope container gives us: its memory limit and CPU share, from its cgroups.

Gradescope runs each submission in a container with (by default) 768 MB of memory and half a
virtual CPU; the instructor can raise both. Fixed defaults would be wrong both ways: a
notebook allowed 2 GB in a 768 MB container is killed by the kernel with no results.json,
and TensorFlow sizes its thread pools to the host's cores, not the container's share. So in
Gradescope mode the grader reads the limits the kernel enforces (the tightest over this
process's cgroup and its ancestors, cgroup v2 or v1) and sizes the submission to fit.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox.limits import SandboxLimits

CGROUP_ROOT = Path("/sys/fs/cgroup")
RESERVED_MB = 400
"""Memory the grading itself holds in the container: the grader (~60 MB), the warm worker's
TensorFlow (~290 MB private) and room for TensorFlow's libraries in the page cache. Measured:
docs/gradescope.md."""
MIN_SUBMISSION_MB = 256
"""Below this a submission's own memory cannot hold the lesson's models: the container is too small."""
UNLIMITED = 1 << 60


@dataclass(frozen=True)
class Resources:
    """The container's limits (None: no limit found).

    Attributes:
        memory_mb: memory for everything in the container.
        cpus: CPU time per wall second (0.5 = half a CPU), from the CFS quota or the affinity mask.
    """

    memory_mb: int | None
    cpus: float | None

    @property
    def minimum_mb(self) -> int:
        """The smallest container memory the autograder works in."""
        return RESERVED_MB + MIN_SUBMISSION_MB

    def too_small(self) -> bool:
        """Whether the container has less memory than the autograder needs."""
        return self.memory_mb is not None and self.memory_mb < self.minimum_mb

    def limits(self, base: SandboxLimits | None = None) -> SandboxLimits:
        """``base`` with the submission's memory and TensorFlow threads fitted to the container."""
        base = base or SandboxLimits()
        memory = base.memory_mb
        if self.memory_mb is not None:
            memory = max(MIN_SUBMISSION_MB, min(memory, self.memory_mb - RESERVED_MB))
        threads = base.threads
        if self.cpus is not None:
            threads = max(1, math.floor(self.cpus))
        scratch = min(base.scratch_mb, max(64, memory // 4))
        return SandboxLimits.from_dict({**base.to_dict(), "memory_mb": memory, "threads": threads, "scratch_mb": scratch})


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def _groups() -> list[tuple[Path, int]]:
    """This process's cgroup folders and their hierarchy version, innermost first, with ancestors."""
    out: list[tuple[Path, int]] = []
    for line in _read(Path("/proc/self/cgroup")).splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        controllers, path = parts[1], parts[2]
        if controllers == "":
            mount, version = CGROUP_ROOT, 2
            if not (mount / "cgroup.controllers").exists():
                mount = CGROUP_ROOT / "unified"
        elif "memory" in controllers.split(","):
            mount, version = CGROUP_ROOT / "memory", 1
        elif "cpu" in controllers.split(","):
            mount, version = CGROUP_ROOT / next(c for c in ("cpu,cpuacct", "cpu") if (CGROUP_ROOT / c).exists()), 1
        else:
            continue
        folder = mount / path.lstrip("/")
        while True:
            out.append((folder, version))
            if folder == mount or mount not in folder.parents:
                break
            folder = folder.parent
    return out


def _memory_limit(folder: Path, version: int) -> int | None:
    text = _read(folder / ("memory.max" if version == 2 else "memory.limit_in_bytes"))
    if not text.isdigit() or int(text) >= UNLIMITED:
        return None
    return int(text)


def _cpu_limit(folder: Path, version: int) -> float | None:
    if version == 2:
        quota, _, period = _read(folder / "cpu.max").partition(" ")
    else:
        quota, period = _read(folder / "cpu.cfs_quota_us"), _read(folder / "cpu.cfs_period_us")
    if not quota.isdigit() or not period.isdigit() or int(period) == 0:
        return None
    return int(quota) / int(period)


def detect() -> Resources:
    """The tightest memory and CPU limits over this process's cgroups (and its CPU affinity)."""
    memory: list[int] = []
    cpus: list[float] = [float(len(os.sched_getaffinity(0)))]
    for folder, version in _groups():
        limit = _memory_limit(folder, version)
        if limit is not None:
            memory.append(limit)
        share = _cpu_limit(folder, version)
        if share is not None:
            cpus.append(share)
    return Resources(memory_mb=min(memory) // (1024 * 1024) if memory else None, cpus=min(cpus))

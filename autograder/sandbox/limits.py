"""Limits on running one untrusted submission, each named, documented and defaulted."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class SandboxLimits:
    """Resource limits for one submission's process tree.

    Attributes:
        timeout_s: wall clock for the whole submission (cells and probes); on expiry the
            process tree is killed and the submission gets status ``timeout``.
        cell_timeout_s: wall clock for one notebook cell; a slow cell is interrupted and the
            next one runs.
        probe_timeout_s: wall clock for one hidden check's probe.
        memory_mb: memory for the whole submission: its processes, its private ``/tmp``,
            ``/var/tmp`` and ``/dev/shm``, and (where cgroups exist) its shared memory; above
            it the submission is killed (status ``error``). The address space of each process
            is also capped (see ``address_space_slack_mb``).
        scratch_mb: size of the private tmpfs behind ``/tmp``, ``/var/tmp`` and ``/dev/shm``
            (what is stored there also counts against ``memory_mb``).
        address_space_slack_mb: virtual memory allowed on top of ``memory_mb`` for what
            TensorFlow maps but never touches (about 1.6 GB after the first op).
        cpu_s: CPU seconds for the child (RLIMIT_CPU), a backstop to ``timeout_s``.
        max_processes: processes/threads the submission may have (RLIMIT_NPROC for its
            dedicated uid, and ``pids.max`` of its cgroup), bounding fork bombs.
        max_open_files: open file descriptors (RLIMIT_NOFILE).
        max_file_mb: size of any file the child writes (RLIMIT_FSIZE).
        max_output_bytes: bytes of stdout/stderr kept for the TA (the rest is discarded).
        max_result_bytes: bytes of records accepted from the submission; more ends it
            (status ``error``).
        threads: TensorFlow's intra- and inter-op threads (and OpenMP's) for the submission;
            0 keeps TensorFlow's default (one per core of the machine). Gradescope mode sets it
            to the container's CPU share.
    """

    timeout_s: float = 180.0
    cell_timeout_s: float = 60.0
    probe_timeout_s: float = 30.0
    memory_mb: int = 2048
    scratch_mb: int = 512
    address_space_slack_mb: int = 3072
    cpu_s: int = 600
    max_processes: int = 512
    max_open_files: int = 512
    max_file_mb: int = 64
    max_output_bytes: int = 64 * 1024
    max_result_bytes: int = 32 * 1024 * 1024
    threads: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for the job message."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SandboxLimits:
        """Inverse of :meth:`to_dict`, ignoring unknown keys."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

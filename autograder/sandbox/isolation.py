"""What the submission's runner does to itself before it runs a single line of student code.

The namespaces and the private root are set up by the submission's init process
(:mod:`autograder.sandbox.jail`); this module holds the steps each process applies to
itself, and the report of what was in force:

1. Privileges: a dedicated unprivileged uid/gid with no supplementary groups (root), or
   every capability dropped (an unprivileged user namespace hands them out).
2. ``no_new_privs`` and a seccomp filter (:mod:`autograder.sandbox.syscalls`).
3. Resource limits (address space, CPU, processes, open files, file size, no core dumps),
   hard = soft so student code cannot raise them.
4. An explicit environment: nothing inherited.
"""

from __future__ import annotations

import os
import resource
import site
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from autograder.sandbox import linux, syscalls
from autograder.sandbox.limits import SandboxLimits


@dataclass
class IsolationReport:
    """Which protections a submission actually got (sent to the grader before student code runs).

    Attributes:
        pid_namespace: its processes live in a PID namespace of their own (all die with it).
        network_isolated: a network namespace with no interface up (not even loopback).
        private_root: the allow-list root of :mod:`autograder.sandbox.rootfs` (nothing of the
            host's home folders, the grader, other submissions or outputs exists there).
        ipc_namespace: SysV and POSIX IPC objects of its own, gone with it.
        privileges_dropped: runs as a dedicated unprivileged uid (grader run as root).
        capabilities_dropped: holds no capability (the user-namespace case).
        seccomp: the system-call filter is loaded.
        notes: what was missing, in words for the TA.
    """

    pid_namespace: bool = False
    network_isolated: bool = False
    private_root: bool = False
    ipc_namespace: bool = False
    privileges_dropped: bool = False
    capabilities_dropped: bool = False
    seccomp: bool = False
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for the isolation record."""
        return asdict(self)


def missing_protections(isolation: dict[str, Any]) -> list[str]:
    """What a submission ran without, in words for the TA (empty when everything was in force).

    Args:
        isolation: a result's ``isolation`` (the runner's report plus the warm worker's
            ``sandbox_*`` facts); empty for submissions that never ran.
    """
    if not isolation:
        return []
    notes = [str(n) for n in isolation.get("notes", []) if isinstance(n, str)]
    if not isolation.get("privileges_dropped"):
        notes.append("not running as root: student code ran as your own user (no dedicated uid)")
    if isolation.get("sandbox_cgroup") == "":
        notes.append("no cgroup for submissions: memory is sampled (private memory + tmpfs) rather than "
                     "accounted by the kernel, and CPU is shared per session rather than per submission")
    return notes


NOTE_CHARS = 400
"""The longest note the grader accepts from a runner (``grading.channel``)."""


def note_unreadable_python(report: IsolationReport) -> None:
    """Tell the TA when the submissions' user cannot read this Python (call after dropping
    privileges): every import in a notebook would fail, and nothing else would say why.

    A virtual environment made in a private folder (mode 0700) is the usual cause.
    """
    for folder in dict.fromkeys([sys.prefix, *site.getsitepackages()]):
        if os.path.isdir(folder) and not os.access(folder, os.R_OK | os.X_OK):
            note = (f"the submissions' user cannot read this Python: notebooks' imports fail; make it readable "
                    f"to all users (chmod -R o+rX {folder})")
            report.notes.append(note[:NOTE_CHARS])
            return


def drop_privileges(uid: int, gid: int, report: IsolationReport) -> None:
    """Become ``uid``/``gid`` for good (root), or give up every capability (anyone).

    Raises:
        OSError: if the identity cannot be changed (the runner must not go on as root).
    """
    try:
        linux.drop_bounding_capabilities()
    except OSError:
        pass  # not privileged: no_new_privs (set next) already stops gaining any capability
    if os.geteuid() == 0 and uid != 0:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        report.privileges_dropped = True
    try:
        linux.clear_capabilities()
        report.capabilities_dropped = True
    except OSError as exc:
        report.notes.append(f"capabilities not dropped ({exc.strerror or exc})")


def restrict_system_calls(report: IsolationReport) -> None:
    """``no_new_privs`` then the seccomp filter; notes what could not be applied."""
    try:
        linux.set_no_new_privs()
    except OSError as exc:
        report.notes.append(f"no_new_privs not set ({exc.strerror or exc})")
        return
    try:
        report.seccomp = syscalls.load_filter()
    except OSError as exc:
        report.notes.append(f"seccomp filter not loaded ({exc.strerror or exc})")
        return
    if not report.seccomp:
        report.notes.append("seccomp filter not loaded (libseccomp is not installed)")


def apply_rlimits(limits: SandboxLimits, *, base_address_space: int) -> None:
    """Set the runner's resource limits (hard = soft, so student code cannot raise them)."""
    mb = 1024 * 1024
    address_space = base_address_space + (limits.memory_mb + limits.address_space_slack_mb) * mb
    for name, value in (
        (resource.RLIMIT_AS, address_space),
        (resource.RLIMIT_CPU, limits.cpu_s),
        (resource.RLIMIT_NOFILE, limits.max_open_files),
        (resource.RLIMIT_FSIZE, limits.max_file_mb * mb),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NPROC, limits.max_processes),
        (resource.RLIMIT_MSGQUEUE, 64 * 1024),
        (resource.RLIMIT_MEMLOCK, 64 * 1024),
    ):
        try:
            resource.setrlimit(name, (value, value))
        except (ValueError, OSError):
            pass


def student_environment(home: str, *, threads: int = 0) -> dict[str, str]:
    """The only environment student code sees: built from scratch, never inherited.

    Args:
        home: the working directory.
        threads: threads for OpenMP and BLAS libraries (0: their defaults).
    """
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "USER": "student",
        "LOGNAME": "student",
        "KERAS_HOME": os.path.join(home, ".keras"),
        "MPLCONFIGDIR": os.path.join(home, ".mpl"),
        "MPLBACKEND": "Agg",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "AUTOGRADER_GRADING": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if threads > 0:
        env.update(OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    return env


def current_address_space() -> int:
    """Bytes of virtual memory mapped by this process now (VmSize)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0

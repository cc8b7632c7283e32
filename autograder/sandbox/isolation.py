"""What a forked child does to itself before it runs a single line of student code.

Applied in this order, each step best-effort with the outcome recorded, so the grader can
say once which protections were in force on this machine:

1. New session and process group (the tree can be killed as one).
2. New mount and network namespaces (root, or an unprivileged user namespace): no network
   at all (not even loopback), and the hidden files (checks, reference, expected values,
   other submissions, outputs) hidden under empty read-only mounts.
3. Drop privileges to a dedicated unprivileged uid/gid (root only).
4. Resource limits (address space, CPU, processes, open files, file size, no core dumps).
5. A scrubbed environment: nothing inherited but a short allow-list.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from autograder.sandbox.limits import SandboxLimits

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18

ENV_ALLOW = ("LANG", "LC_ALL", "TZ")

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


@dataclass
class IsolationReport:
    """Which protections a child actually got (sent to the grader with the result)."""

    privileges_dropped: bool = False
    network_isolated: bool = False
    files_masked: bool = False
    notes: list[str] = field(default_factory=list)


def _unshare(flags: int) -> None:
    if _libc.unshare(flags) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    rc = _libc.mount(
        source.encode(),
        target.encode(),
        fstype.encode() if fstype else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def enter_namespaces(report: IsolationReport) -> bool:
    """Unshare mount and network namespaces; returns whether mounts can now be changed."""
    uid, gid = os.getuid(), os.getgid()
    try:
        if os.geteuid() == 0:
            _unshare(CLONE_NEWNS | CLONE_NEWNET)
        else:
            _unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET)
            Path("/proc/self/setgroups").write_text("deny")
            Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
            Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    except OSError as exc:
        report.notes.append(f"no network/mount namespace ({exc.strerror or exc})")
        return False
    report.network_isolated = True
    try:
        _mount("none", "/", None, MS_REC | MS_PRIVATE)
    except OSError as exc:
        report.notes.append(f"mounts not private ({exc.strerror or exc})")
        return False
    return True


def mask_paths(paths: Iterable[str], report: IsolationReport) -> None:
    """Hide each path under an empty read-only tmpfs (folders) or /dev/null (files)."""
    masked = 0
    for raw in paths:
        path = Path(raw)
        try:
            if path.is_dir() and not path.is_symlink():
                _mount("tmpfs", str(path), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0500")
            elif path.is_file():
                _mount("/dev/null", str(path), None, MS_BIND)
            else:
                continue
            masked += 1
        except OSError as exc:
            report.notes.append(f"could not hide {path.name} ({exc.strerror or exc})")
            return
    report.files_masked = True


def drop_privileges(uid: int, gid: int, report: IsolationReport) -> None:
    """Become ``uid``/``gid`` with no supplementary groups (root only)."""
    if os.geteuid() != 0:
        report.notes.append("not running as root: student code runs as your own user")
        return
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    report.privileges_dropped = True


def apply_rlimits(limits: SandboxLimits, *, base_address_space: int) -> None:
    """Set the child's resource limits (hard = soft, so student code cannot raise them)."""
    mb = 1024 * 1024
    address_space = base_address_space + (limits.memory_mb + limits.address_space_slack_mb) * mb
    for name, value in (
        (resource.RLIMIT_AS, address_space),
        (resource.RLIMIT_CPU, limits.cpu_s),
        (resource.RLIMIT_NOFILE, limits.max_open_files),
        (resource.RLIMIT_FSIZE, limits.max_file_mb * mb),
        (resource.RLIMIT_CORE, 0),
    ):
        try:
            resource.setrlimit(name, (value, value))
        except (ValueError, OSError):
            pass
    try:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.max_processes, limits.max_processes))
    except (ValueError, OSError):
        pass


def scrubbed_environment(workdir: str) -> dict[str, str]:
    """The only environment student code sees."""
    env = {k: os.environ[k] for k in ENV_ALLOW if k in os.environ}
    env.update(
        HOME=workdir,
        TMPDIR=workdir,
        PATH="/usr/local/bin:/usr/bin:/bin",
        KERAS_HOME=os.path.join(workdir, ".keras"),
        MPLCONFIGDIR=os.path.join(workdir, ".mpl"),
        MPLBACKEND="Agg",
        TF_CPP_MIN_LOG_LEVEL="2",
        AUTOGRADER_GRADING="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
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

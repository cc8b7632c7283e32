"""The Linux system calls the sandbox needs that Python 3.11's ``os`` module does not wrap.

Thin ``ctypes`` wrappers, each raising ``OSError`` with the errno like ``os`` functions do.
Nothing here decides policy: :mod:`autograder.sandbox.jail` does.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4

_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
_SYS_CAPSET = {"x86_64": 126, "aarch64": 91}

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _check(rc: int, what: str) -> None:
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def unshare(flags: int) -> None:
    """Move this process into new namespaces (``unshare(2)``)."""
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    """``mount(2)``; ``source``/``fstype``/``data`` may be None."""
    rc = _libc.mount(
        source.encode() if source is not None else None,
        target.encode(),
        fstype.encode() if fstype else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    _check(rc, f"mount {target}")


def umount(target: str, flags: int = 0) -> None:
    """``umount2(2)``."""
    _check(_libc.umount2(target.encode(), ctypes.c_int(flags)), f"umount {target}")


def pivot_root(new_root: str, put_old: str) -> None:
    """``pivot_root(2)`` (no libc wrapper exists)."""
    number = _SYS_PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise OSError(38, f"pivot_root: unsupported architecture {platform.machine()}")
    _check(_libc.syscall(ctypes.c_long(number), new_root.encode(), put_old.encode()), "pivot_root")


def prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> None:
    """``prctl(2)`` with integer arguments."""
    args = [ctypes.c_ulong(a) for a in (arg2, arg3, arg4, arg5)]
    _check(_libc.prctl(ctypes.c_int(option), *args), f"prctl {option}")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_bounding_capabilities() -> None:
    """Empty the capability bounding set (needs CAP_SETPCAP: call while still privileged).

    Nothing run later, setuid binaries included, can then gain a capability.
    """
    path = "/proc/sys/kernel/cap_last_cap"
    last = int(open(path).read().strip()) if os.path.exists(path) else 40
    for cap in range(last + 1):
        prctl(PR_CAPBSET_DROP, cap)


def clear_capabilities() -> None:
    """Empty the ambient, effective, permitted and inheritable capability sets.

    Needed where student code keeps its uid (an unprivileged user namespace gives the
    process every capability inside it) and as a second lock after ``setresuid``.
    """
    try:
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    except OSError:
        pass  # kernels before 4.3 have no ambient set
    number = _SYS_CAPSET.get(platform.machine())
    if number is None:
        raise OSError(38, f"capset: unsupported architecture {platform.machine()}")
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc.syscall(ctypes.c_long(number), ctypes.byref(header), data), "capset")


def set_no_new_privs() -> None:
    """Forbid gaining privileges through execve (setuid binaries, file capabilities)."""
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def set_parent_death_signal(signum: int) -> None:
    """Receive ``signum`` when the thread that forked this process ends."""
    prctl(PR_SET_PDEATHSIG, signum)


def set_child_subreaper() -> None:
    """Orphaned descendants are reparented to this process instead of init."""
    prctl(PR_SET_CHILD_SUBREAPER, 1)


def set_dumpable(flag: bool) -> None:
    """A non-dumpable process cannot be ptraced or have its ``/proc`` files read by its own uid."""
    prctl(PR_SET_DUMPABLE, 1 if flag else 0)

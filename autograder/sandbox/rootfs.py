"""A private root filesystem for one submission: an allow-list, not a deny-list.

Inside its own mount namespace, the submission's init process builds a new root on an
empty tmpfs and ``pivot_root``s into it. The new root holds only:

- the operating system, read-only: ``/usr``, ``/bin``, ``/sbin``, ``/lib*``, ``/etc``;
- this Python and its packages, read-only, at their own paths (``sys.prefix`` and friends);
- ``/proc`` of the submission's own PID namespace and a minimal ``/dev`` (no ``/sys``: it
  describes the host's devices and network, and nothing a notebook runs needs it);
- one private, size-limited tmpfs seen as ``/tmp``, ``/var/tmp`` and ``/dev/shm``, owned by
  nobody else and gone with the submission.

Everything else (home folders, the grader's checkout and ``build/``, other submissions, the
output folder, Dask's scratch space, ``/autograder/source`` on Gradescope) simply does not
exist there. Inside the allowed folders, :attr:`RootPlan.hidden` folders (the grading code
and the reference, when they are installed into the same environment) are covered by empty
read-only mounts.
"""

from __future__ import annotations

import os
import site
import sys
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox import linux

SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
DEVICES = ("null", "zero", "full", "random", "urandom")
DEV_LINKS = {"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1",
             "stderr": "/proc/self/fd/2"}
SCRATCH_DIRS = {"tmp": "/tmp", "shm": "/dev/shm", "var-tmp": "/var/tmp"}
WORKDIR = "/tmp/work"
"""The submission's working directory and ``HOME`` inside its root."""

_LOCKED_FLAGS = (  # statvfs flag -> mount flag that a bind mount must keep (locked in user namespaces)
    (os.ST_NOSUID, linux.MS_NOSUID),
    (os.ST_NODEV, linux.MS_NODEV),
    (os.ST_NOEXEC, linux.MS_NOEXEC),
    (getattr(os, "ST_NOATIME", 1024), 1024),
    (getattr(os, "ST_NODIRATIME", 2048), 2048),
    (getattr(os, "ST_RELATIME", 4096), 1 << 21),
)


@dataclass(frozen=True)
class RootPlan:
    """What the submission's root holds; computed once per warm worker, before any job.

    Attributes:
        mountpoint: an empty folder, private to the warm worker, where the new root is built.
        visible: folders bound read-only at their own paths.
        hidden: folders inside ``visible`` covered by empty read-only mounts.
        scratch_mb: size of the private tmpfs behind ``/tmp``, ``/var/tmp`` and ``/dev/shm``.
    """

    mountpoint: str
    visible: tuple[str, ...]
    hidden: tuple[str, ...] = ()
    scratch_mb: int = 512

    @classmethod
    def for_this_python(cls, mountpoint: str, *, hidden: list[str], scratch_mb: int,
                        extra_visible: list[str] = ()) -> RootPlan:  # type: ignore[assignment]
        """The plan for running this interpreter: the OS, the interpreter and its packages.

        Args:
            mountpoint: see :class:`RootPlan`.
            hidden: folders never to show (our packages; they are imported before the fork).
            scratch_mb: see :class:`RootPlan`.
            extra_visible: more folders to show read-only.
        """
        hidden_real = [os.path.realpath(h) for h in hidden]
        wanted = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))]
        wanted += list(site.getsitepackages()) + list(extra_visible)
        cwd = os.path.realpath(os.getcwd())  # ``python -m`` puts it first: the worker's own folder, not code
        for entry in sys.path:  # e.g. PYTHONPATH folders, but never a folder holding our own code
            if entry and os.path.isdir(entry):
                real = os.path.realpath(entry)
                if real != cwd and not any(h == real or h.startswith(real + os.sep) for h in hidden_real):
                    wanted.append(entry)
        visible = _outermost([p for p in (*SYSTEM_PATHS, *wanted) if os.path.lexists(p)])
        shown = [os.path.realpath(v) for v in visible]
        keep = [os.path.realpath(w) for w in wanted if os.path.exists(w)]
        inside = [h for h in hidden_real if any(_within(h, v) for v in shown)]
        return cls(mountpoint=mountpoint, visible=tuple(visible), hidden=tuple(sorted(set(_hideable(inside, keep)))),
                   scratch_mb=scratch_mb)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _hideable(hidden: list[str], keep: list[str]) -> list[str]:
    """``hidden``, with each folder that holds a ``keep`` folder (a checkout holding its
    ``.venv``) replaced by its entries that hold none.

    A hidden folder inside a kept one (the grader installed into ``site-packages``) is hidden;
    one that is a kept folder (Python itself) cannot be.
    """
    out: list[str] = []
    for folder in hidden:
        if folder in keep:
            continue  # Python itself is this folder: it must stay visible
        if not any(_within(k, folder) for k in keep):
            out.append(folder)
            continue
        try:
            entries = sorted(os.path.join(folder, name) for name in os.listdir(folder))
        except OSError:
            continue
        out.extend(_hideable(entries, keep))
    return out


def _outermost(paths: list[str]) -> list[str]:
    """Absolute, de-duplicated paths with those inside another one dropped."""
    out: list[str] = []
    for path in sorted({os.path.abspath(p) for p in paths}, key=len):
        if not any(path == o or path.startswith(o.rstrip("/") + "/") for o in out):
            out.append(path)
    return sorted(out)


def _mirror(root: str, path: str) -> str:
    """Make ``path`` resolvable inside ``root`` (folders and symlinks as on the host).

    Returns:
        The host's real path, which the caller binds at ``root + realpath``.
    """
    current = "/"
    for part in Path(path).parts[1:]:
        candidate = os.path.join(current, part)
        inside = root + candidate
        if os.path.islink(candidate):
            target = os.readlink(candidate)
            if not os.path.lexists(inside):
                os.makedirs(os.path.dirname(inside), exist_ok=True)
                os.symlink(target, inside)
            current = os.path.realpath(candidate)
            _mirror(root, current)
        else:
            current = candidate
    return os.path.realpath(path)


def _locked_flags(path: str) -> int:
    flags = os.statvfs(path).f_flag
    return sum(mount_flag for stat_flag, mount_flag in _LOCKED_FLAGS if flags & stat_flag)


def _bind_readonly(source: str, target: str, *, allow_devices: bool = False) -> None:
    # recursive: in a user namespace a mount with (locked) submounts may only be bound whole
    linux.mount(source, target, None, linux.MS_BIND | linux.MS_REC)
    flags = linux.MS_REMOUNT | linux.MS_BIND | linux.MS_RDONLY | linux.MS_NOSUID | _locked_flags(source)
    if not allow_devices:
        flags |= linux.MS_NODEV
    linux.mount(None, target, None, flags)


def _bind_visible(root: str, paths: tuple[str, ...]) -> None:
    """Mirror each path's symlinks into ``root``, then bind the outermost real folders."""
    reals = [_mirror(root, path) for path in paths]
    for real in _outermost([r for r in reals if os.path.exists(r)]):
        target = root + real
        if os.path.isdir(real):
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            open(target, "a").close()
        _bind_readonly(real, target)


def _make_dev(root: str, scratch: str) -> None:
    dev = root + "/dev"
    os.makedirs(dev, exist_ok=True)
    linux.mount("tmpfs", dev, "tmpfs", linux.MS_NOSUID | linux.MS_NOEXEC, "size=64k,mode=0755")
    for name in DEVICES:
        node = f"{dev}/{name}"
        open(node, "a").close()
        _bind_readonly(f"/dev/{name}", node, allow_devices=True)
        # /dev/null and friends must stay writable
        linux.mount(None, node, None, linux.MS_REMOUNT | linux.MS_BIND | linux.MS_NOSUID | linux.MS_NOEXEC
                    | _locked_flags(f"/dev/{name}"))
    for name, target in DEV_LINKS.items():
        os.symlink(target, f"{dev}/{name}")
    os.makedirs(f"{dev}/shm")


def _under_scratch(path: str) -> bool:
    real = os.path.realpath(path)
    return any(_within(real, where) or _within(path, where) for where in SCRATCH_DIRS.values())


HIDDEN_PACKAGE = 'raise ImportError("this package is not available to submissions")\n'
"""What a hidden folder holds: an ``__init__.py`` that refuses the import. An empty folder
would import as an (empty) namespace package, and an attacker could not tell it from a leak."""


def _hide(root: str, hidden: tuple[str, ...]) -> None:
    """Cover each hidden folder with a read-only tmpfs holding only :data:`HIDDEN_PACKAGE`
    (a hidden file with ``/dev/null``)."""
    flags = linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC
    for path in hidden:
        target = root + path
        if os.path.isdir(target):
            linux.mount("tmpfs", target, "tmpfs", flags, "size=16k,mode=0555")
            with open(os.path.join(target, "__init__.py"), "w") as handle:
                handle.write(HIDDEN_PACKAGE)
            linux.mount(None, target, None, linux.MS_REMOUNT | linux.MS_RDONLY | flags)
        elif os.path.exists(target):
            linux.mount("/dev/null", target, None, linux.MS_BIND)


def enter_private_root(plan: RootPlan, *, uid: int, gid: int) -> None:
    """Build the submission's root and ``pivot_root`` into it (call in a new mount namespace).

    Must run in the submission's init process, after ``unshare(CLONE_NEWNS | CLONE_NEWPID)``
    and a fork (``/proc`` is mounted for the new PID namespace).

    Args:
        plan: what to show.
        uid, gid: owner of the working directory.

    Raises:
        OSError: when a step fails (the caller then runs without a private root and says so).
    """
    root = plan.mountpoint
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)  # nothing propagates back to the host
    linux.mount("tmpfs", root, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, "size=1m,mode=0755")
    _bind_visible(root, plan.visible)
    scratch = root + "/.scratch"
    os.makedirs(scratch)
    linux.mount("tmpfs", scratch, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV,
                f"size={max(plan.scratch_mb, 1)}m,mode=0755")
    _make_dev(root, scratch)
    for name, where in SCRATCH_DIRS.items():
        os.makedirs(f"{scratch}/{name}", mode=0o777)
        os.chmod(f"{scratch}/{name}", 0o1777)
        os.makedirs(root + where, exist_ok=True)
        linux.mount(f"{scratch}/{name}", root + where, None, linux.MS_BIND)
    # a Python installed under /tmp (a virtual environment made there) stays visible over the private /tmp
    _bind_visible(root, tuple(p for p in plan.visible if _under_scratch(p)))
    _hide(root, plan.hidden)
    os.makedirs(root + WORKDIR, mode=0o700)
    os.chown(root + WORKDIR, uid, gid)
    linux.umount(scratch, linux.MNT_DETACH)  # reachable only through its three binds now
    os.rmdir(scratch)
    os.makedirs(root + "/proc")
    linux.mount("proc", root + "/proc", "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC)
    os.makedirs(root + "/.old")
    linux.pivot_root(root, root + "/.old")
    os.chdir("/")
    linux.umount("/.old", linux.MNT_DETACH)
    os.rmdir("/.old")
    linux.mount(None, "/", None, linux.MS_REMOUNT | linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV)


def scratch_used_bytes(pid: int) -> int:
    """Bytes held in the private tmpfs of the submission whose init is ``pid`` (0 if unknown).

    The tmpfs lives in that process's mount namespace; the host reaches it through
    ``/proc/<pid>/root``. Without a private root that path is the host's own ``/tmp``, which
    is not the submission's to count.
    """
    try:
        if os.stat(f"/proc/{pid}/root/tmp").st_dev == os.stat("/tmp").st_dev:
            return 0
        st = os.statvfs(f"/proc/{pid}/root/tmp")
    except OSError:
        return 0
    return (st.f_blocks - st.f_bfree) * st.f_frsize

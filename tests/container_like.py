"""Run a command the way Docker's defaults would let it run: root without namespaces.

    python tests/container_like.py python -m autograder grade ...

Before ``exec``-ing the rest of the command line, this process (root)
makes the cgroup hierarchies read-only in a mount namespace of its own, drops
``CAP_SYS_ADMIN`` from its capability bounding set and loads a seccomp filter refusing
``unshare``, ``setns``, ``mount`` and ``clone`` with a namespace flag (``EPERM``) and
``clone3`` (``ENOSYS``), as Docker's default profile does. The command then runs as root
with every other capability, like ``run_autograder`` on Gradescope's default container:
the grader must fall back to what such a machine allows and say what is missing.
"""

from __future__ import annotations

import errno
import os
import sys

import pyseccomp

from autograder.sandbox import linux

CAP_SYS_ADMIN = 21
NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)


def _read_only_cgroups() -> None:
    linux.unshare(linux.CLONE_NEWNS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    with open("/proc/self/mountinfo") as handle:
        points = [line.split()[4] for line in handle if " - cgroup" in line]
    for point in sorted(points, key=len, reverse=True):
        linux.mount(None, point, None, linux.MS_REMOUNT | linux.MS_BIND | linux.MS_RDONLY | linux.MS_NOSUID
                    | linux.MS_NODEV | linux.MS_NOEXEC)


def _refuse_namespaces() -> None:
    linux.prctl(linux.PR_CAPBSET_DROP, CAP_SYS_ADMIN)
    flt = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    for name in ("unshare", "setns", "mount", "umount2", "pivot_root"):
        flt.add_rule(pyseccomp.ERRNO(errno.EPERM), name)
    flt.add_rule(pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    for flag in NAMESPACE_FLAGS:
        flt.add_rule(pyseccomp.ERRNO(errno.EPERM), "clone", pyseccomp.Arg(0, pyseccomp.MASKED_EQ, flag, flag))
    flt.load()


def main() -> None:
    if os.geteuid() != 0:
        raise SystemExit("container_like.py needs root (it drops root's CAP_SYS_ADMIN, as Docker does)")
    _read_only_cgroups()
    _refuse_namespaces()
    os.execvp(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()

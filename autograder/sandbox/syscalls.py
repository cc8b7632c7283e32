"""A seccomp filter for student code: refuse the system calls a notebook has no use for.

A deny-list in the spirit of Docker's default profile, narrowed to what matters for grading:

- state that outlives a process or escapes the memory accounting: kernel keyrings
  (``keyctl``, ``add_key``, ``request_key``: per-uid, they would outlive the submission),
  ``memfd_create``/``memfd_secret`` (anonymous files not charged to a tmpfs);
- ways out of the namespaces: ``unshare``, ``setns``, ``clone`` with a namespace flag,
  ``clone3`` (answered ``ENOSYS`` so the C library falls back to ``clone``), mounts;
- other processes' memory and kernel attack surface: ``ptrace``, ``process_vm_*``, ``bpf``,
  ``perf_event_open``, ``userfaultfd``, ``io_uring_*``, module and kexec loading;
- sockets of any family but Unix, IP and netlink (``AF_VSOCK`` is not namespaced).

Everything else a notebook does (threads, ``fork``, files, TensorFlow) is allowed. Built on
libseccomp through ``pyseccomp``; where libseccomp is missing the filter is reported absent.
"""

from __future__ import annotations

import errno

DENIED = (
    "keyctl", "add_key", "request_key", "memfd_create", "memfd_secret",
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr",
    "ptrace", "process_vm_readv", "process_vm_writev", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "acct", "swapon", "swapoff",
    "reboot", "quotactl", "open_by_handle_at", "name_to_handle_at",
)
NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)
"""CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET."""
SOCKET_FAMILIES = (1, 2, 10, 16)
"""AF_UNIX, AF_INET, AF_INET6, AF_NETLINK: the families a notebook's libraries use. The network
namespace already leaves inet sockets nowhere to go; other families (AF_VSOCK reaches the
hypervisor, which no namespace covers; AF_PACKET, AF_BLUETOOTH, AF_CAN ...) are refused."""
MAX_FAMILY = 64


def load_filter() -> bool:
    """Install the filter on this process and its future children; returns whether it took.

    Call after ``PR_SET_NO_NEW_PRIVS`` (required for an unprivileged process) and before
    running student code. A filter cannot be removed, only made stricter.
    """
    try:
        import pyseccomp as seccomp
    except (ImportError, RuntimeError, OSError):  # libseccomp.so is not installed
        return False
    flt = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in DENIED:
        try:
            flt.add_rule(seccomp.ERRNO(errno.EPERM), name)
        except (OSError, ValueError, RuntimeError):
            continue  # unknown to this kernel or libseccomp
    try:
        flt.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    except (OSError, ValueError, RuntimeError):
        pass
    for flag in NAMESPACE_FLAGS:
        flt.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    for family in range(MAX_FAMILY):
        if family not in SOCKET_FAMILIES:
            for call in ("socket", "socketpair"):
                flt.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), call, seccomp.Arg(0, seccomp.EQ, family))
    flt.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.GE, MAX_FAMILY))
    flt.load()
    return True

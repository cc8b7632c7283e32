"""The process tree of one submission: keeper, init, runner.

The warm worker forks, per submission::

    warm worker (never holds job data)
      └─ keeper   joins the submission's cgroup, unshares the namespaces, waits
           └─ init    PID 1 of the new PID namespace: builds the private root, reaps
                └─ runner  drops privileges, reads the job, runs cells and probes

- The keeper and the init die with their parent (``PR_SET_PDEATHSIG``), so killing the
  keeper kills the init, and when the init (PID 1) dies the kernel kills every other
  process of the namespace, whatever it did to hide (new sessions, fork chains, changing
  pids). Nothing of a submission can outlive it.
- The job (the notebook's cells) reaches the runner through its own pipe, read only after
  the forks; records and output leave through pipes read by the grader. The warm worker
  only passes these descriptors on, so its memory, which every later submission inherits,
  never holds another submission's data.
- Where namespaces are not allowed (a container without ``CAP_SYS_ADMIN``), the same tree
  runs without them; the warm worker then kills by uid and the report says what was missing.
"""

from __future__ import annotations

import json
import os
import signal
import socket
from dataclasses import dataclass

from autograder.sandbox import linux, rootfs
from autograder.sandbox.cgroups import JobCgroup
from autograder.sandbox.isolation import IsolationReport
from autograder.sandbox.limits import SandboxLimits

NAMESPACES = linux.CLONE_NEWPID | linux.CLONE_NEWNS | linux.CLONE_NEWNET | linux.CLONE_NEWIPC | linux.CLONE_NEWUTS
EXIT_SETUP_FAILED = 71
IPC_SYSCTLS = {"kernel/shmmni": "32", "kernel/msgmni": "16", "kernel/shmmax": str(16 << 20),
               "kernel/shmall": str(4096)}
"""SysV IPC of the namespace, bounded: a notebook has no use for it, and it sits outside RSS."""


@dataclass(frozen=True)
class JobPipes:
    """The descriptors one submission's tree inherits.

    Attributes:
        job: read end of the job message (written by the grader).
        records: write end of the record pipe (read by the grader).
        output: write end of stdout/stderr (read by the grader).
        status: write end on which the init reports the runner's end to the warm worker.
    """

    job: int
    records: int
    output: int
    status: int

    def close(self, *, keep_status: bool = False) -> None:
        """Close the descriptors this process no longer needs."""
        for fd in (self.job, self.records, self.output) + (() if keep_status else (self.status,)):
            try:
                os.close(fd)
            except OSError:
                pass


@dataclass(frozen=True)
class JailSettings:
    """Trusted settings of one submission's tree (no student data).

    Attributes:
        uid, gid: the identity the runner takes (the grader's own when not root).
        limits: the submission's limits.
        plan: the private root to build, or None to run without one.
        cgroup: the submission's cgroup, or None.
        host_workdir: the working directory used when no private root can be built.
    """

    uid: int
    gid: int
    limits: SandboxLimits
    plan: rootfs.RootPlan | None
    cgroup: JobCgroup | None
    host_workdir: str


def spawn(settings: JailSettings, pipes: JobPipes) -> int:
    """Fork the submission's keeper (call in the warm worker); returns its pid."""
    pid = os.fork()
    if pid == 0:
        try:
            _keeper(settings, pipes)
        finally:
            os._exit(EXIT_SETUP_FAILED)
    return pid


def _keeper(settings: JailSettings, pipes: JobPipes) -> None:
    linux.set_parent_death_signal(signal.SIGKILL)
    report = IsolationReport()
    if settings.cgroup is not None:
        try:
            settings.cgroup.add(os.getpid())
        except OSError as exc:
            report.notes.append(f"not in a cgroup ({exc.strerror or exc}): memory counted by sampling")
    namespaced = _enter_namespaces(report)
    pid = os.fork()
    if pid == 0:
        try:
            _init(settings, pipes, report, namespaced)
        finally:
            os._exit(EXIT_SETUP_FAILED)
    pipes.close()
    while True:
        try:
            os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
        except ChildProcessError:
            break
    os._exit(0)


def _enter_namespaces(report: IsolationReport) -> bool:
    uid, gid = os.getuid(), os.getgid()
    root = os.geteuid() == 0
    try:
        linux.unshare(NAMESPACES if root else NAMESPACES | linux.CLONE_NEWUSER)
        if not root:
            with open("/proc/self/setgroups", "w") as handle:
                handle.write("deny")
            with open("/proc/self/uid_map", "w") as handle:
                handle.write(f"{uid} {uid} 1")
            with open("/proc/self/gid_map", "w") as handle:
                handle.write(f"{gid} {gid} 1")
    except OSError as exc:
        report.notes.append(
            f"no PID, network or mount namespace ({exc.strerror or exc}): leftover processes are killed by "
            "uid, the network is not cut and the host's files are visible to student code")
        return False
    report.pid_namespace = report.network_isolated = report.ipc_namespace = True
    return True


def _init(settings: JailSettings, pipes: JobPipes, report: IsolationReport, namespaced: bool) -> None:
    linux.set_parent_death_signal(signal.SIGKILL)
    if namespaced and settings.plan is not None:
        try:
            rootfs.enter_private_root(settings.plan, uid=settings.uid, gid=settings.gid)
            report.private_root = True
        except OSError as exc:
            report.notes.append(f"no private root filesystem ({exc.strerror or exc}): the host's files are visible")
        else:
            for name, value in IPC_SYSCTLS.items():
                try:
                    with open(f"/proc/sys/{name}", "w") as handle:
                        handle.write(value)
                except OSError:
                    pass
            try:
                socket.sethostname("sandbox")
            except OSError:
                pass
    pid = os.fork()
    if pid == 0:
        from autograder.sandbox import child

        child.run(settings, pipes, report)  # never returns
    pipes.close(keep_status=True)
    status: int | None = None
    while status is None:  # as PID 1: reap orphans until the runner ends, then end (the kernel kills the rest)
        try:
            done, wait_status = os.waitpid(-1, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            break
        if done == pid:
            status = wait_status
    message = {"exit_code": os.waitstatus_to_exitcode(status) if status is not None else None,
               "private_root": report.private_root, "pid_namespace": report.pid_namespace}
    try:
        os.write(pipes.status, (json.dumps(message) + "\n").encode())
    except OSError:
        pass
    os._exit(0)

"""The warm worker: import TensorFlow once, then fork one sandboxed process tree per job.

It is started by the grader (:mod:`autograder.sandbox.pool`) with an explicit, minimal
environment and one control socket (:mod:`autograder.sandbox.protocol`). For each job it
receives three pipe descriptors and the limits, never the notebook: it passes the
descriptors on to the submission's tree (:mod:`autograder.sandbox.jail`), enforces the wall
clock and memory, then kills the whole tree and reports how it ended. It never runs a
TensorFlow op (a process that has run one cannot fork usable children), never reads a job,
a record or an output, and never sees expected values or judges: whatever a submission finds
in the memory it inherits from here belongs to nobody else.

Run: ``python -m autograder.sandbox.zygote --slot N --control-fd FD`` (the grader then sends
``configure``; nothing of the grader's, not even folder names, is on its command line).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.util
import json
import logging
import os
import select
import shutil
import signal
import socket
import stat
import sys
import tempfile
import time
from dataclasses import replace
from typing import Any

from autograder.sandbox import cgroups, jail, linux, protocol, rootfs, uids
from autograder.sandbox.child import EXIT_SETUP_FAILED
from autograder.sandbox.limits import SandboxLimits

log = logging.getLogger(__name__)

POLL_S = 0.05
SAMPLE_S = 0.25
REAP_TIMEOUT_S = 10.0
FORBIDDEN_MODULES = ("reference", "autograder.checks", "autograder.grading", "autograder.reporting",
                     "autograder.gradescope")
"""Grader-side code a runner must not inherit: the reference, the judges, grading and reports."""
SHARED_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue")
"""Where a submission without a private root could leave files behind (removed by owner)."""


def warm_up() -> float:
    """Import everything the runner needs (no ops). Returns the seconds it took.

    After the fork the runner cannot import anything of ours (the private root does not hold
    this package), so every module it uses must be loaded here.
    """
    start = time.monotonic()
    import keras  # noqa: F401
    import numpy  # noqa: F401
    import tensorflow  # noqa: F401
    from IPython.core.inputtransformer2 import TransformerManager  # noqa: F401

    import autograder.probes  # noqa: F401
    import autograder.sandbox.child  # noqa: F401
    from autograder.execution.tensorflow_kernels import share_variable_handle_kernels

    share_variable_handle_kernels()  # no op runs: every child inherits the patched function
    from autograder.sandbox import syscalls

    try:
        import pyseccomp  # noqa: F401 - finds libseccomp now, while the host's files are visible
    except (ImportError, RuntimeError, OSError):
        pass
    del syscalls
    for optional in ("matplotlib", "matplotlib.pyplot", "sklearn", "sklearn.datasets"):
        try:
            __import__(optional)
        except Exception:
            pass
    return time.monotonic() - start


def _own_code_folders() -> list[str]:
    """Folders of this grader's code and data, never shown to a submission."""
    import autograder

    folders = [os.path.dirname(os.path.abspath(autograder.__file__))]
    spec = importlib.util.find_spec("reference")  # located, never imported: the runner inherits our modules
    if spec is not None and spec.origin:
        folders.append(os.path.dirname(os.path.abspath(spec.origin)))
    checkout = os.path.dirname(folders[0])
    if os.path.isdir(os.path.join(checkout, "assignment")):  # a repository checkout: its build/, assignment/ ...
        folders.append(checkout)
    return folders


def _unique_memory_bytes(pid: int) -> int:
    """Private memory of ``pid`` and its descendants (pages they do not share with this worker)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_full_info().uss
        except psutil.Error:
            pass
    return total


def _init_pid(keeper: int) -> int | None:
    import psutil

    try:
        children = psutil.Process(keeper).children()
    except psutil.Error:
        return None
    return children[0].pid if children else None


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _remove_files_of(uid: int) -> None:
    """Delete what ``uid`` left in the shared writable folders (a tree without a private root)."""
    for folder in SHARED_WRITABLE:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
                if info.st_uid != uid:
                    continue
                if stat.S_ISDIR(info.st_mode):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                continue


class Zygote:
    """The warm worker's state: its uids, cgroups and private-root plan, made before any job.

    Args:
        slot: the worker's number (its preferred block of sandbox uids).
        hidden: more folders to hide from submissions, when they lie inside shown folders.
    """

    def __init__(self, slot: int) -> None:
        linux.set_child_subreaper()
        self.root = os.geteuid() == 0
        self.uids = uids.UidBlock(slot) if self.root else None
        self.import_s = warm_up()
        leaked = sorted(m for m in sys.modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN_MODULES))
        if leaked:  # fail closed: every submission would inherit them
            raise RuntimeError(f"the warm worker imported grader-side modules: {', '.join(leaked)}")
        self.cgroups = cgroups.detect(f"autograder-{os.getpid()}")
        # folders named after this worker, so that one left behind says whose it was
        self.mountpoint = tempfile.mkdtemp(prefix=f"autograder-root-{os.getpid()}-")
        self.plan: rootfs.RootPlan | None = None
        self.jobs = 0
        self.grader_gone = False

    def configure(self, hidden: list[str]) -> None:
        """Plan the submissions' root (``hidden``: the grader's folders to hide should they be shown)."""
        self.plan = rootfs.RootPlan.for_this_python(self.mountpoint, hidden=[*_own_code_folders(), *hidden],
                                                    scratch_mb=SandboxLimits().scratch_mb)
        gc.freeze()  # the forks share these pages instead of copying them when the GC walks them

    def sandbox_facts(self) -> dict[str, Any]:
        """What this worker provides to every submission (for the TA's notes)."""
        return {"cgroup": f"v{self.cgroups.version}" if self.cgroups else "", "dedicated_uid": self.root}

    def serve(self, ctl: socket.socket) -> None:
        """Take the grader's ``configure``, then answer ``run`` requests until it closes the socket."""
        message, _ = protocol.receive(ctl)
        if message is None or message.get("kind") != "configure":
            return
        self.configure([str(h) for h in message.get("hide", []) if isinstance(h, str)])
        protocol.send(ctl, {"kind": "ready", "pid": os.getpid(), "import_s": round(self.import_s, 3),
                            "sandbox": self.sandbox_facts()})
        while not self.grader_gone:
            message, fds = protocol.receive(ctl, max_fds=3)
            if message is None:
                for fd in fds:
                    os.close(fd)
                return
            if message.get("kind") != "run" or len(fds) != 3:
                for fd in fds:
                    os.close(fd)
                continue
            try:
                answer = self.run(message, fds, ctl)
            except Exception as exc:  # never let one job take the worker down
                log.exception("job failed in the worker")
                answer = {"status": "crashed", "reason": f"could not be run by the worker ({exc!r})",
                          "infrastructure": True}
            answer.update(kind="exit", id=message.get("id"), sandbox=self.sandbox_facts())
            if not self.grader_gone:
                protocol.send(ctl, answer)

    def run(self, request: dict[str, Any], fds: list[int], ctl: socket.socket) -> dict[str, Any]:
        """Run one job to its end and clean up after it; returns the ``exit`` message's fields."""
        limits = SandboxLimits.from_dict(request.get("limits", {}))
        self.jobs += 1
        uid = self.uids.take() if self.uids is not None else os.getuid()
        gid = uid if self.root else os.getgid()
        cgroup = None
        if self.cgroups is not None:
            try:
                cgroup = self.cgroups.create(f"job-{self.jobs}", memory_mb=limits.memory_mb,
                                             max_processes=limits.max_processes)
            except OSError as exc:
                log.warning("no cgroup for this job: %s", exc)
        workdir = tempfile.mkdtemp(prefix=f"autograder-work-{os.getpid()}-")
        if self.root:
            os.chown(workdir, uid, gid)
        status_r, status_w = os.pipe()
        assert self.plan is not None, "configure() comes first"
        settings = jail.JailSettings(uid=uid, gid=gid, limits=limits, plan=replace(self.plan, scratch_mb=limits.scratch_mb),
                                     cgroup=cgroup, host_workdir=workdir)
        start = time.monotonic()
        try:
            keeper = jail.spawn(settings, jail.JobPipes(*fds, status=status_w))
        finally:
            for fd in (*fds, status_w):
                os.close(fd)
        try:
            status, reason, peak = self._supervise(keeper, limits, cgroup, ctl, start)
        finally:
            self._kill_tree(keeper, uid, cgroup)
        seconds = time.monotonic() - start
        ended = self._read_status(status_r)
        oom = cgroup is not None and cgroup.oom_killed()
        if cgroup is not None:
            peak = max(peak, cgroup.peak_bytes())
            cgroup.remove()
        if self.root:
            _remove_files_of(uid)
        shutil.rmtree(workdir, ignore_errors=True)
        answer: dict[str, Any] = {"exit_code": ended.get("exit_code"), "seconds": round(seconds, 3),
                                  "peak_rss_mb": round(peak / (1024 * 1024), 1)}
        if oom:
            status, reason = "memory", f"used more than {limits.memory_mb} MB of memory"
        elif status == "completed" and not ended:
            status, reason = "crashed", "could not be started in the sandbox on this machine"
            answer["infrastructure"] = True
        elif status == "completed" and ended.get("exit_code") == EXIT_SETUP_FAILED:
            status, reason = "crashed", "could not be isolated on this machine (the sandbox setup failed)"
            answer["infrastructure"] = True
        elif status == "completed" and ended.get("exit_code") not in (0, None):
            status, reason = "crashed", f"ended with {_describe_exit(int(ended['exit_code']))}"
        answer.update(status=status, reason=reason)
        return answer

    def _supervise(self, keeper: int, limits: SandboxLimits, cgroup: cgroups.JobCgroup | None,
                   ctl: socket.socket, start: float) -> tuple[str, str, int]:
        """Wait for the keeper to end, the clock or memory to run out, or the grader to ask."""
        deadline = start + limits.timeout_s
        limit = limits.memory_mb * 1024 * 1024
        pidfd = os.pidfd_open(keeper)
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        poller.register(ctl.fileno(), select.POLLIN)
        peak, last_sample = 0, 0.0
        try:
            while True:
                for fd, _ in poller.poll(POLL_S * 1000):
                    if fd == pidfd:
                        return "completed", "", peak
                    message, extra = protocol.receive(ctl, max_fds=3)
                    for stray in extra:
                        os.close(stray)
                    if message is None:
                        self.grader_gone = True
                        return "crashed", "was stopped because the grader stopped", peak
                    if message.get("kind") == "kill":
                        return "crashed", str(message.get("reason", "was stopped by the grader"))[:300], peak
                now = time.monotonic()
                if now > deadline:
                    return "timeout", f"did not finish within {limits.timeout_s:g} s", peak
                if now - last_sample >= SAMPLE_S:
                    last_sample = now
                    if cgroup is not None:
                        used = cgroup.memory_bytes()  # the kernel enforces the limit itself
                    else:
                        init = _init_pid(keeper)
                        used = _unique_memory_bytes(keeper) + (rootfs.scratch_used_bytes(init) if init else 0)
                        if used > limit:
                            return "memory", f"used more than {limits.memory_mb} MB of memory", max(peak, used)
                    peak = max(peak, used)
        finally:
            os.close(pidfd)

    def _kill_tree(self, keeper: int, uid: int, cgroup: cgroups.JobCgroup | None) -> None:
        """Kill everything the job started and reap it, whatever it did to survive."""
        import psutil

        if cgroup is not None:
            cgroup.kill()
        with contextlib.suppress(OSError):
            os.kill(keeper, signal.SIGKILL)  # the init follows (parent-death signal), then its namespace
        give_up = time.monotonic() + REAP_TIMEOUT_S
        while time.monotonic() < give_up:
            try:
                children = psutil.Process().children(recursive=True)
            except psutil.Error:
                children = []
            for proc in children:
                with contextlib.suppress(psutil.Error):
                    proc.kill()
            self._reap()
            if not children:
                break
            time.sleep(0.01)
        if self.root and not uids.kill_all_of(uid):
            log.warning("processes of sandbox uid %d survived; the uid is skipped from now on", uid)

    @staticmethod
    def _reap() -> None:
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return

    @staticmethod
    def _read_status(fd: int) -> dict[str, Any]:
        """The init's report of how the runner ended ({} if the init never wrote it)."""
        try:
            os.set_blocking(fd, False)
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        finally:
            os.close(fd)
        try:
            message = json.loads(data.decode().strip() or "{}")
        except (ValueError, UnicodeDecodeError):
            return {}
        return message if isinstance(message, dict) else {}

    def close(self) -> None:
        """Release the uid block and the cgroup folders; remove the root mountpoint and the home.

        The grader made the home and removes it when it stops the worker; a grader that was
        killed (a Dask worker's SIGKILL, say) never does, and its zygote, which outlives it to
        see the socket close, is the last one that knows the folder.
        """
        if self.cgroups is not None:
            self.cgroups.close()
        if self.uids is not None:
            self.uids.close()
        with contextlib.suppress(OSError):
            os.rmdir(self.mountpoint)
        home = own_home()
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)


def own_home() -> str | None:
    """The folder the grader made for this worker (``$HOME``), if it is one: never anything else."""
    home = os.environ.get("HOME", "")
    try:
        info = os.lstat(home)
    except OSError:
        return None
    if (os.path.basename(home).startswith(protocol.WORKER_HOME_PREFIX) and stat.S_ISDIR(info.st_mode)
            and info.st_uid == os.geteuid()):
        return home
    return None


def main(argv: list[str] | None = None) -> int:
    """Serve jobs on the control socket until the grader closes it."""
    parser = argparse.ArgumentParser(description="autograder warm worker")
    parser.add_argument("--slot", type=int, default=0)
    parser.add_argument("--control-fd", type=int, required=True)
    args = parser.parse_args(argv)
    os.dup2(2, 1)  # stray prints from libraries go to stderr
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s zygote: %(message)s")
    ctl = socket.socket(fileno=args.control_fd)
    zygote = Zygote(args.slot)
    try:
        zygote.serve(ctl)
    finally:
        zygote.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

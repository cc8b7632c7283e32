"""The warm worker: import TensorFlow once, then fork one isolated child per job.

Protocol (JSON lines): the grader writes one job per line on stdin; the zygote answers on
a private copy of its original stdout with ``{"kind": "ready"}`` once warm and then one
result per job. The zygote itself never runs a TensorFlow op (a process that has run one
cannot fork usable children) and never sees expected values.

Run: ``python -m autograder.sandbox.zygote --slot N``.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PR_SET_CHILD_SUBREAPER = 36
SANDBOX_UID_BASE = 61000
SANDBOX_UID_COUNT = 1000
UID_LOCK_DIR = Path(tempfile.gettempdir()) / "autograder-sandbox-uids"


def claim_sandbox_uid(slot: int) -> tuple[int, Any]:
    """Reserve a sandbox uid no other grader on this machine is using.

    Each worker kills every process of its uid after a job, so two graders running at once
    must never share one. A uid is held by an exclusive ``flock`` on a per-uid file for the
    worker's lifetime (released by the kernel if the worker dies).

    Returns:
        The uid and the open lock file (keep it open).
    """
    import fcntl

    UID_LOCK_DIR.mkdir(mode=0o700, exist_ok=True)
    for offset in range(SANDBOX_UID_COUNT):
        uid = SANDBOX_UID_BASE + (slot + offset) % SANDBOX_UID_COUNT
        handle = open(UID_LOCK_DIR / f"{uid}.lock", "w")  # noqa: SIM115 - held for the worker's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        return uid, handle
    raise RuntimeError("no free sandbox uid")
POLL_S = 0.05
EXIT_GRACE_S = 1.0


def warm_up() -> float:
    """Import everything the child needs (no ops). Returns the seconds it took."""
    start = time.monotonic()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras  # noqa: F401
    import numpy  # noqa: F401
    import tensorflow  # noqa: F401
    from IPython.core.inputtransformer2 import TransformerManager  # noqa: F401

    import autograder.checks  # noqa: F401
    import autograder.sandbox.child  # noqa: F401

    for optional in ("matplotlib", "matplotlib.pyplot", "sklearn"):
        try:
            __import__(optional)
        except Exception:
            pass
    return time.monotonic() - start


def _tree_rss_mb(pid: int) -> float:
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / (1024 * 1024)


def _kill_everything(pid: int, uid: int | None) -> None:
    """Kill the child's group, every descendant of this zygote, and every process of ``uid``."""
    import psutil

    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    for _ in range(3):
        victims = []
        try:
            victims.extend(psutil.Process(os.getpid()).children(recursive=True))
        except psutil.Error:
            pass
        if uid is not None:
            for p in psutil.process_iter(["uids"]):
                try:
                    if p.info["uids"] and p.info["uids"].real == uid and p.pid != os.getpid():
                        victims.append(p)
                except psutil.Error:
                    pass
        if not victims:
            break
        for p in victims:
            try:
                p.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(victims, timeout=2)
    _reap()


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def run_job(job: dict[str, Any], sandbox_uid: int) -> dict[str, Any]:
    """Fork a child for one submission and supervise it until it ends or is killed."""
    from autograder.sandbox import child
    from autograder.sandbox.limits import SandboxLimits

    limits = SandboxLimits.from_dict(job.get("limits", {}))
    is_root = os.geteuid() == 0
    uid = sandbox_uid if is_root else os.getuid()
    gid = sandbox_uid if is_root else os.getgid()
    workdir = tempfile.mkdtemp(prefix="ag-sandbox-")
    if is_root:
        os.chown(workdir, uid, gid)
    os.chmod(workdir, 0o700)
    capture = tempfile.TemporaryFile()
    read_fd, write_fd = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.close(read_fd)
            child.run(job, write_fd, capture.fileno(), workdir, uid, gid)
        finally:
            os._exit(70)
    os.close(write_fd)
    lines: list[str] = []
    buffer = b""
    received = 0
    status, reason = "completed", ""
    exit_code: int | None = None
    peak_mb = 0.0
    deadline = start + limits.timeout_s
    last_mem_check = 0.0
    eof = False
    exited_at = 0.0
    while True:
        now = time.monotonic()
        if exit_code is None:
            done_pid, wait_status = os.waitpid(pid, os.WNOHANG)
            if done_pid == pid:
                exit_code = os.waitstatus_to_exitcode(wait_status)
                exited_at = now
        # after the child exits, drain briefly: an orphan may hold the pipe open forever
        if exit_code is not None and (eof or now - exited_at > EXIT_GRACE_S):
            break
        if now > deadline:
            status, reason = "timeout", f"did not finish within {limits.timeout_s:g} s"
            break
        if now - last_mem_check > 0.25 and exit_code is None:
            last_mem_check = now
            rss = _tree_rss_mb(pid)
            peak_mb = max(peak_mb, rss)
            if rss > limits.memory_mb:
                status, reason = "memory", f"used more than {limits.memory_mb} MB of memory"
                break
        if eof:
            if exit_code is None:
                time.sleep(POLL_S)
            continue
        ready, _, _ = select.select([read_fd], [], [], POLL_S)
        if not ready:
            continue
        chunk = os.read(read_fd, 1 << 16)
        if not chunk:
            eof = True
            continue
        received += len(chunk)
        if received > limits.max_result_bytes:
            status, reason = "crashed", "sent more result data than allowed"
            break
        buffer += chunk
        *complete, buffer = buffer.split(b"\n")
        lines.extend(line.decode("utf-8", "replace") for line in complete if line)
    _kill_everything(pid, uid if is_root else None)
    if exit_code is None:
        try:
            _, wait_status = os.waitpid(pid, 0)
            exit_code = os.waitstatus_to_exitcode(wait_status)
        except ChildProcessError:
            pass
    os.close(read_fd)
    if status == "completed" and exit_code not in (0, None):
        status = "crashed"
        reason = f"the process ended with {_describe_exit(exit_code)}"
    capture.seek(0)
    output = capture.read(limits.max_output_bytes).decode("utf-8", "replace")
    capture.close()
    shutil.rmtree(workdir, ignore_errors=True)
    return {
        "kind": "result",
        "id": job.get("id"),
        "status": status,
        "reason": reason,
        "exit_code": exit_code,
        "records": lines,
        "output": output,
        "seconds": round(time.monotonic() - start, 3),
        "peak_rss_mb": round(max(peak_mb, 0.0), 1),
    }


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def main(argv: list[str] | None = None) -> int:
    """Serve jobs from stdin until it closes."""
    parser = argparse.ArgumentParser(description="autograder warm worker")
    parser.add_argument("--slot", type=int, default=0)
    args = parser.parse_args(argv)
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints from libraries go to stderr, never into the protocol
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    try:
        ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except Exception:
        pass
    sandbox_uid, _uid_lock = claim_sandbox_uid(args.slot) if os.geteuid() == 0 else (os.getuid(), None)
    import_s = warm_up()
    proto.write(json.dumps({"kind": "ready", "pid": os.getpid(), "import_s": round(import_s, 3)}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            job = json.loads(line)
            result = run_job(job, sandbox_uid)
        except Exception as exc:  # never let one job take the worker down
            result = {"kind": "result", "id": None, "status": "crashed", "reason": f"worker error: {exc!r}",
                      "records": [], "output": "", "seconds": 0.0, "peak_rss_mb": 0.0}
            try:
                result["id"] = json.loads(line).get("id")
            except Exception:
                pass
        proto.write(json.dumps(result) + "\n")
        proto.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

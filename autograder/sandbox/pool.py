"""The grader's handle on warm workers: start them, feed them jobs, survive their deaths.

Each :class:`WarmWorker` is a ``zygote`` subprocess started with an explicit minimal
environment (never the grader's: tokens and credentials in the TA's environment stay
here) and one control socket. Per job the grader makes three pipes, hands their far ends
to the worker with the ``run`` request, writes the notebook straight into the job pipe and
reads records and output straight out of the other two: the worker passes descriptors on,
it never holds the data. If a worker dies, its job gets a ``crashed`` answer marked as the
machinery's failure (not cached) and the worker is restarted, so one bad submission never
stops the batch.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import select
import selectors
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from typing import Any, TextIO

from autograder import paths
from autograder.sandbox import protocol
from autograder.sandbox.limits import SandboxLimits
from autograder.sandbox.protocol import WorkerAnswer, crashed_answer
from autograder.sandbox.runner import Job, JobRunner, ResultCallback

log = logging.getLogger(__name__)

ZYGOTE_MODULE = "autograder.sandbox.zygote"
STARTUP_TIMEOUT_S = 180.0
"""How long a worker may take to import TensorFlow before it is declared broken."""
ANSWER_GRACE_S = 60.0
"""How long after a job's own time limit the worker may take to report its end."""
DRAIN_S = 2.0
"""How long to keep reading records and output after the worker reported the job's end."""


class WorkerError(RuntimeError):
    """A worker process could not start or answer."""


def worker_environment(pythonpath: str, home: str) -> dict[str, str]:
    """The warm worker's whole environment, built from scratch.

    A forked process keeps its parent's original environment block in memory (readable
    through ``/proc/self/stat`` even after ``os.environ.clear()``), so the only way to keep
    the grader's environment from student code is never to give it to the worker.
    """
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": home,
        "PYTHONPATH": pythonpath,
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "KERAS_HOME": os.path.join(home, ".keras"),
        "MPLCONFIGDIR": os.path.join(home, ".mpl"),
        "MPLBACKEND": "Agg",
    }


def _write_all(fd: int, data: bytes) -> None:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError:
        pass  # the runner died before reading its job: its answer says why
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


class _Collected:
    """Records and output read from one job's pipes, capped."""

    def __init__(self, limits: SandboxLimits) -> None:
        self.records = bytearray()
        self.output = bytearray()
        self.limits = limits
        self.overflow = False
        self.started = time.monotonic()
        self.record_times: list[float] = []

    def add_records(self, chunk: bytes) -> bool:
        """Keep ``chunk`` (and when its lines arrived); False when the job has now sent more than it may."""
        if self.overflow:
            return True
        if len(self.records) + len(chunk) > self.limits.max_result_bytes:
            self.overflow = True
            return False
        self.records += chunk
        self.record_times += [round(time.monotonic() - self.started, 4)] * chunk.count(b"\n")
        return True

    def add_output(self, chunk: bytes) -> None:
        room = self.limits.max_output_bytes - len(self.output)
        if room > 0:
            self.output += chunk[:room]

    def lines(self) -> tuple[list[str], bool]:
        """Complete lines, and whether bytes followed the last newline."""
        *complete, tail = bytes(self.records).split(b"\n")
        return [line.decode("ascii", "replace") for line in complete], bool(tail)


class WarmWorker:
    """One warm worker process and its control socket.

    Args:
        slot: the worker's number (its preferred block of sandbox uids).
        stderr: where the worker's own diagnostics go (None discards them).
        pythonpath: where the worker imports ``autograder`` from (default: this checkout).
        cwd: the worker's working directory (default: a private temporary folder).
        hidden: folders to hide from submissions if they lie inside what the sandbox shows.
    """

    def __init__(self, slot: int, stderr: TextIO | None = None, *, pythonpath: str | None = None,
                 cwd: str | None = None, hidden: Sequence[str] = ()) -> None:
        self.slot = slot
        self._stderr = stderr
        self._pythonpath = pythonpath or str(paths.CODE_ROOT)  # the workers import this same code
        self._cwd = cwd
        self._hidden = list(hidden)
        self.proc: subprocess.Popen[bytes] | None = None
        self.sock: socket.socket | None = None
        self._home: str | None = None
        self.import_s = 0.0
        self.sandbox: dict[str, Any] = {}
        self._launched = False  # started by launch(), its "ready" not read yet
        self._ready = False  # its "ready" was read: it takes jobs

    @property
    def alive(self) -> bool:
        """Whether the worker process is running."""
        return self.proc is not None and self.proc.poll() is None

    def launch(self) -> None:
        """Start the worker process without waiting for it: it imports TensorFlow (seconds)
        while the grader plans the batch. :meth:`start` waits for it to be warm."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._home = tempfile.mkdtemp(prefix=protocol.WORKER_HOME_PREFIX)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", ZYGOTE_MODULE, "--slot", str(self.slot), "--control-fd", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr if self._stderr is not None else subprocess.DEVNULL,
                env=worker_environment(self._pythonpath, self._home),
                cwd=self._cwd or self._home,
                start_new_session=True,
            )
        finally:
            theirs.close()
        self.sock = ours
        protocol.send(ours, {"kind": "configure", "hide": self._hidden})
        self._launched = True

    def start(self) -> None:
        """Start the worker (unless :meth:`launch` just did) and wait until it is warm.

        Raises:
            WorkerError: if it does not say it is ready in time.
        """
        if not (self._launched and self.alive):
            self.launch()
        self._launched = False
        hello = self._receive(STARTUP_TIMEOUT_S)
        if hello is None or hello.get("kind") != "ready":
            self.stop()
            raise WorkerError(f"worker {self.slot} did not start (got {hello!r})")
        self.import_s = float(hello.get("import_s", 0.0))
        self.sandbox = dict(hello.get("sandbox") or {})
        self._ready = True

    def _receive(self, timeout_s: float) -> dict[str, Any] | None:
        assert self.sock is not None
        ready, _, _ = select.select([self.sock], [], [], timeout_s)
        if not ready:
            return None
        message, _ = protocol.receive(self.sock)
        return message

    def run(self, job: Job) -> WorkerAnswer:
        """Run one job; never raises for anything the submission does."""
        if not (self._ready and self.alive):
            self.start()
        assert self.sock is not None
        limits = SandboxLimits.from_dict(job.message.get("limits", {}))
        job_r, job_w = os.pipe()
        rec_r, rec_w = os.pipe()
        out_r, out_w = os.pipe()
        try:
            protocol.send(self.sock, {"kind": "run", "id": job.id, "limits": limits.to_dict()}, [job_r, rec_w, out_w])
        except OSError:
            for fd in (job_w, rec_r, out_r):
                os.close(fd)
            self.restart()
            return crashed_answer("could not be started: the worker process had died")
        finally:
            for fd in (job_r, rec_w, out_w):
                os.close(fd)
        writer = threading.Thread(target=_write_all, args=(job_w, json.dumps(job.message).encode()), daemon=True)
        writer.start()
        try:
            return self._collect(job, limits, rec_r, out_r)
        finally:
            for fd in (rec_r, out_r):
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _collect(self, job: Job, limits: SandboxLimits, rec_r: int, out_r: int) -> WorkerAnswer:
        assert self.sock is not None
        collected = _Collected(limits)
        selector = selectors.DefaultSelector()
        selector.register(rec_r, selectors.EVENT_READ, "records")
        selector.register(out_r, selectors.EVENT_READ, "output")
        selector.register(self.sock, selectors.EVENT_READ, "control")
        deadline = time.monotonic() + job.timeout_s + ANSWER_GRACE_S
        ended: dict[str, Any] | None = None
        drain_until = 0.0
        open_pipes = 2
        try:
            while True:
                now = time.monotonic()
                if ended is not None and (open_pipes == 0 or now > drain_until):
                    break
                if now > deadline:
                    self.restart()
                    return crashed_answer("got no answer from its worker process in time (the worker was restarted)")
                for key, _ in selector.select(timeout=0.2):
                    if key.data == "control":
                        message, _ = protocol.receive(self.sock)
                        if message is None:
                            self.restart()
                            return crashed_answer("lost its worker process while grading (the worker was restarted)")
                        if message.get("kind") == "exit" and ended is None:
                            ended, drain_until = message, time.monotonic() + DRAIN_S
                            ended["ended_s"] = round(time.monotonic() - collected.started, 4)
                            selector.unregister(self.sock)
                        continue
                    chunk = os.read(key.fd, 1 << 16)
                    if not chunk:
                        selector.unregister(key.fd)
                        open_pipes -= 1
                    elif key.data == "output":
                        collected.add_output(chunk)
                    elif not collected.add_records(chunk):
                        protocol.send(self.sock, {"kind": "kill", "reason": "sent more result data than allowed"})
        finally:
            selector.close()
        lines, incomplete = collected.lines()
        answer = WorkerAnswer.from_dict({k: v for k, v in ended.items() if k not in ("kind", "id")})
        answer.records, answer.incomplete_line = lines, incomplete
        answer.record_times = collected.record_times[: len(lines)]
        answer.output = bytes(collected.output).decode("utf-8", "replace")
        if collected.overflow:
            answer.status, answer.reason = "crashed", "sent more result data than allowed"
        return answer

    def restart(self) -> None:
        """Stop the worker and start a new one (logged, not raised, if that fails)."""
        self.stop()
        try:
            self.start()
        except WorkerError as exc:
            log.error("%s", exc)

    def stop(self) -> None:
        """Close the control socket (the worker ends its job and exits), then force it."""
        self._launched = self._ready = False
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.close()
            self.sock = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    os.killpg(self.proc.pid, 9)
                self.proc.wait()
            self.proc = None
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None


class WorkerPool(JobRunner):
    """A fixed set of warm workers on this machine that grade jobs concurrently.

    Args:
        workers: number of worker processes (each holds one TensorFlow import).
        stderr: where workers' own diagnostics go (None discards them).
        hidden: folders to hide from submissions if they lie inside what the sandbox shows.

    Use as a context manager; ``run`` calls back as results finish.
    """

    def __init__(self, workers: int, *, stderr: TextIO | None = None, hidden: Sequence[str] = ()) -> None:
        if workers < 1:
            raise ValueError(f"Expected `workers` >= 1. Received: workers={workers}")
        self._workers = [WarmWorker(slot, stderr, hidden=hidden) for slot in range(workers)]

    @property
    def sandbox(self) -> dict[str, Any]:
        """What the workers provide to submissions (from the first one that started)."""
        return next((w.sandbox for w in self._workers if w.sandbox), {})

    def open(self) -> None:
        """Launch every worker now: they warm up while the caller plans the batch."""
        for worker in self._workers:
            try:
                worker.launch()
            except OSError as exc:  # run() starts it again and reports what fails
                log.warning("worker %d could not be launched: %s", worker.slot, exc)

    def close(self) -> None:
        """Stop every worker (polite first, then forced)."""
        for worker in self._workers:
            worker.stop()

    def run(self, jobs: list[Job], on_result: ResultCallback) -> None:
        """Run all jobs, calling ``on_result`` in the calling thread as each finishes.

        Raises:
            KeyboardInterrupt: propagated after workers are stopped; results already
                delivered are kept by the caller.
        """
        todo: queue.Queue[Job] = queue.Queue()
        for job in jobs:
            todo.put(job)
        done: queue.Queue[tuple[Job, WorkerAnswer]] = queue.Queue()
        stop = threading.Event()

        def serve(worker: WarmWorker) -> None:
            while not stop.is_set():
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    return
                started = time.monotonic()
                try:
                    answer = worker.run(job)
                except WorkerError as exc:
                    answer = crashed_answer(str(exc))
                except Exception as exc:  # a bug here must cost one job, not the batch
                    log.exception("worker %d failed on %s", worker.slot, job.id)
                    answer = crashed_answer(f"could not be run ({type(exc).__name__})")
                if not answer.seconds:
                    answer.seconds = round(time.monotonic() - started, 3)
                done.put((job, answer))

        threads = [threading.Thread(target=serve, args=(w,), daemon=True) for w in self._workers]
        for t in threads:
            t.start()
        remaining = len(jobs)
        try:
            while remaining:
                try:
                    job, answer = done.get(timeout=0.5)
                except queue.Empty:
                    if not any(t.is_alive() for t in threads) and done.empty():
                        break
                    continue
                remaining -= 1
                on_result(job, answer)
        except BaseException:
            stop.set()
            self.close()
            raise

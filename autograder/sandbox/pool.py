"""The grader's handle on warm workers: start them, feed them jobs, survive their deaths.

Each worker is a ``zygote`` subprocess. One thread per worker sends a job and waits for its
answer; if the worker dies (killed, out of memory) the job is answered with a ``crashed``
result and the worker is restarted, so one bad submission never stops the batch.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from autograder.sandbox.runner import Job, JobRunner, ResultCallback, crashed_answer

log = logging.getLogger(__name__)

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 180.0
"""How long a worker may take to import TensorFlow before it is declared broken."""


class WorkerError(RuntimeError):
    """A worker process could not start or answer."""


class _Worker:
    """One zygote subprocess.

    Args:
        slot: the worker's number (its preferred sandbox uid offset).
        stderr: where the zygote's diagnostics go (None discards them).
        pythonpath: where the zygote imports ``autograder`` from (default: this checkout).
        module: the zygote's entry module.
        cwd: the zygote's working directory (default: this checkout).
    """

    def __init__(self, slot: int, stderr: TextIO | None, *, pythonpath: str | None = None,
                 module: str = "autograder.sandbox.zygote", cwd: str | None = None) -> None:
        self.slot = slot
        self._stderr = stderr
        self._pythonpath = pythonpath or str(PACKAGE_ROOT)
        self._module = module
        self._cwd = cwd or str(PACKAGE_ROOT)
        self.proc: subprocess.Popen[str] | None = None
        self.import_s = 0.0

    def start(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = self._pythonpath + os.pathsep + env.get("PYTHONPATH", "")
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", self._module, "--slot", str(self.slot)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr if self._stderr is not None else subprocess.DEVNULL,
            text=True,
            bufsize=1,
            env=env,
            cwd=self._cwd,
            start_new_session=True,
        )
        hello = self._readline(STARTUP_TIMEOUT_S)
        if hello is None or hello.get("kind") != "ready":
            self.stop()
            raise WorkerError(f"worker {self.slot} did not start (got {hello!r})")
        self.import_s = float(hello.get("import_s", 0.0))

    def _readline(self, timeout_s: float) -> dict[str, Any] | None:
        assert self.proc is not None and self.proc.stdout is not None
        box: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(target=lambda: box.put(self.proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        try:
            line = box.get(timeout=timeout_s)
        except queue.Empty:
            return None
        if not line:
            return None
        try:
            return json.loads(line)
        except json.JSONDecodeError:
            return None

    def run(self, job: Job) -> dict[str, Any]:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(job.message) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.restart()
            return _crashed(job, "the worker process died before the job started")
        answer = self._readline(job.timeout_s + 60.0)
        if answer is None or answer.get("kind") != "result":
            self.restart()
            return _crashed(job, "the worker process died while grading this submission")
        return answer

    def restart(self) -> None:
        self.stop()
        try:
            self.start()
        except WorkerError as exc:
            log.error("%s", exc)

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (subprocess.TimeoutExpired, OSError):
            try:
                os.killpg(self.proc.pid, 9)
            except OSError:
                pass
            self.proc.wait()
        self.proc = None


def _crashed(job: Job, reason: str) -> dict[str, Any]:
    return crashed_answer(job.id, reason)


class WorkerPool(JobRunner):
    """A fixed set of warm workers on this machine that grade jobs concurrently.

    Args:
        workers: number of worker processes (each holds one TensorFlow import).
        stderr: where workers' own diagnostics go (None discards them).

    Use as a context manager; ``run`` yields results as they finish.
    """

    def __init__(self, workers: int, *, stderr: TextIO | None = None) -> None:
        if workers < 1:
            raise ValueError(f"Expected `workers` >= 1. Received: workers={workers}")
        self._workers = [_Worker(slot, stderr) for slot in range(workers)]

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
        todo: queue.Queue[Job | None] = queue.Queue()
        for job in jobs:
            todo.put(job)
        done: queue.Queue[tuple[Job, dict[str, Any]]] = queue.Queue()
        stop = threading.Event()

        def serve(worker: _Worker) -> None:
            while not stop.is_set():
                try:
                    job = todo.get_nowait()
                except queue.Empty:
                    return
                if job is None:
                    return
                started = time.monotonic()
                try:
                    result = worker.run(job)
                except WorkerError as exc:
                    result = _crashed(job, str(exc))
                result.setdefault("seconds", time.monotonic() - started)
                done.put((job, result))

        threads = [threading.Thread(target=serve, args=(w,), daemon=True) for w in self._workers]
        for t in threads:
            t.start()
        remaining = len(jobs)
        try:
            while remaining:
                try:
                    job, result = done.get(timeout=0.5)
                except queue.Empty:
                    if not any(t.is_alive() for t in threads) and done.empty():
                        break
                    continue
                remaining -= 1
                on_result(job, result)
        except BaseException:
            stop.set()
            self.close()
            raise

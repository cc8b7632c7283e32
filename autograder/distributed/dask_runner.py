"""Measure submissions on a Dask cluster, judge them here.

Client side, :class:`DaskRunner` (a :class:`~autograder.sandbox.runner.JobRunner`):

1. connects to the scheduler (address or scheduler file);
2. ships the code the workers need (``autograder`` minus grading, reporting and build
   tools, no judges: the sandbox, the probes and the cell runner) as a zip through the cluster
   (``Client.upload_file``), so workers need only the Python environment, no shared
   filesystem and no copy of this repository; expected values and the reference never leave;
3. submits one task per job (the job message the core built, as JSON) and streams each
   answer back to the caller's thread as it completes (``as_completed``).

Worker side, :func:`grade_job` hands the job to a warm zygote of that Dask worker process
(started on first use with ``PYTHONPATH`` set to the uploaded zip, then reused: one
TensorFlow import per worker), exactly as the local pool does, and returns its
:class:`~autograder.sandbox.protocol.WorkerAnswer` as JSON. Run Dask workers with one thread each (``--nthreads 1``) so each grades one
submission at a time; a worker with more threads keeps one warm zygote per busy thread.

A worker that dies mid-submission (killed, out of memory) does not lose it: the scheduler
hands the task to another worker. Each attempt is logged as a Dask event, so a submission is
tried at most twice whatever the scheduler's ``allowed-failures``; after that (or after a
task error, retried once) it gets a ``crashed`` answer with the reason, which the core
records as ``error`` (and does not cache, so the next run tries again).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from distributed import Client, KilledWorker, as_completed, get_client, get_worker

from autograder.files import ZipEntry, deterministic_zip
from autograder.sandbox.pool import WarmWorker, WorkerError
from autograder.sandbox.protocol import WorkerAnswer, crashed_answer
from autograder.sandbox.runner import Job, JobRunner, ResultCallback, RunnerError

log = logging.getLogger(__name__)

ATTEMPTS_TOPIC = "autograder-attempts"
"""Dask event topic: one ``{"key", "worker", "pid"}`` event each time a task starts."""
MAX_ATTEMPTS = 2
"""Starts allowed per submission: the first one and one retry elsewhere."""
SHIPPED = ("__init__.py", "budget.py", "files.py", "paths.py", "text.py", "wire.py", "probes", "execution", "sandbox", "distributed")
"""What workers get of the ``autograder`` package: the sandbox and the probes, never the judges
(``checks``), the reference, grading, reporting or build code."""
FAILED_TWICE = ("was tried twice on the Dask cluster and both attempts failed "
                "(the Dask worker grading it died: killed, or out of memory)")


# --------------------------------------------------------------------------- client side


def build_package_zip(folder: Path) -> Path:
    """Zip the worker-side code into ``folder``; the name carries a hash of the contents.

    The archive is deterministic (sorted entries, fixed timestamps), so the same code
    always gives the same name and an unchanged package is not uploaded again.
    """
    import autograder

    root = Path(autograder.__file__).resolve().parent
    files: list[Path] = []
    for part in SHIPPED:
        path = root / part
        if path.is_dir():
            files.extend(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)
        elif path.is_file():
            files.append(path)
    data = deterministic_zip(
        ZipEntry(f"autograder/{path.relative_to(root).as_posix()}", path.read_bytes()) for path in sorted(files)
    )
    out = folder / f"autograder_{hashlib.sha256(data).hexdigest()[:16]}.zip"
    out.write_bytes(data)
    return out


def _bootstrap_functions() -> tuple[Any, Any]:
    """Two functions run on workers that may not be able to import ``autograder`` (yet).

    They are nested, so Dask pickles them by value (cloudpickle) instead of by reference.
    """

    def loaded_package() -> str | None:
        """Where this worker's ``autograder`` comes from, if anywhere."""
        import sys

        return getattr(sys.modules.get("autograder"), "__file__", None)

    def forget_other_versions(zip_name: str) -> str | None:
        """Drop ``autograder`` modules not loaded from ``zip_name`` (and stop their zygotes).

        ``upload_file`` re-imports only the top-level package; submodules of an older upload
        would otherwise stay in ``sys.modules`` and grade with old checks.
        """
        import sys

        package = sys.modules.get("autograder")
        where = getattr(package, "__file__", None) or ""
        if zip_name not in where:
            return where or None
        stale = [name for name, module in list(sys.modules.items())
                 if name.startswith("autograder.") and zip_name not in (getattr(module, "__file__", None) or "")]
        old_runner = sys.modules.get("autograder.distributed.dask_runner")
        if "autograder.distributed.dask_runner" in stale and hasattr(old_runner, "shutdown"):
            old_runner.shutdown()
        for name in stale:
            del sys.modules[name]
        return where

    return loaded_package, forget_other_versions


class DaskRunner(JobRunner):
    """Runs jobs on the workers of a Dask cluster.

    Args:
        scheduler: the scheduler's address (``tcp://host:8786``) or a scheduler file.
        connect_timeout_s: how long to try to reach the scheduler.
    """

    def __init__(self, scheduler: str, *, connect_timeout_s: float = 30.0) -> None:
        self.scheduler = scheduler
        self._connect_timeout_s = connect_timeout_s
        self._client: Client | None = None

    @property
    def client(self) -> Client:
        """The connected client (after ``open``)."""
        if self._client is None:
            raise RunnerError("DaskRunner is not open: use it as a context manager")
        return self._client

    def open(self) -> None:
        """Connect and make sure every worker (and every later one) has this code.

        Raises:
            RunnerError: if the scheduler cannot be reached or the upload fails.
        """
        target = {"scheduler_file": self.scheduler} if os.path.isfile(self.scheduler) else {"address": self.scheduler}
        try:
            self._client = Client(**target, timeout=f"{self._connect_timeout_s}s", set_as_default=False)
        except Exception as exc:
            raise RunnerError(f"cannot reach the Dask scheduler at {self.scheduler}: {exc}") from None
        try:
            self._ship_code()
        except Exception as exc:
            self.close()
            raise RunnerError(f"could not send the autograder code to the Dask workers: {exc}") from None

    def _ship_code(self) -> None:
        client = self.client
        loaded_package, forget_other_versions = _bootstrap_functions()
        with tempfile.TemporaryDirectory(prefix="autograder-dask-") as tmp:
            package = build_package_zip(Path(tmp))
            loaded = client.run(loaded_package)
            if loaded and all(package.name in (where or "") for where in loaded.values()):
                log.info("Dask workers already have %s", package.name)
                return
            log.info("uploading %s to %d Dask workers", package.name, len(loaded))
            client.upload_file(str(package), load=True)
        client.run(forget_other_versions, package.name)

    def close(self) -> None:
        """Disconnect (the cluster and its warm workers stay up for the next run)."""
        if self._client is not None:
            try:
                self._client.close()
            finally:
                self._client = None

    def run(self, jobs: list[Job], on_result: ResultCallback) -> None:
        """Submit every job, then deliver the answers in completion order.

        Raises:
            KeyboardInterrupt: after cancelling what has not finished (a submission already
                running finishes on its worker, unseen).
        """
        client = self.client
        if not client.scheduler_info().get("workers"):
            log.warning("no Dask workers yet at %s: waiting for workers to join", self.scheduler)
        run_id = uuid.uuid4().hex[:12]
        by_key: dict[str, Job] = {}
        futures = []
        for n, job in enumerate(jobs):
            key = f"autograder-{run_id}-{n}"
            by_key[key] = job
            futures.append(client.submit(grade_job, job.id, json.dumps(job.message), job.timeout_s,
                                         key=key, retries=1, pure=False))
        retried: set[str] = set()
        completed = as_completed(futures, loop=client.loop)
        try:
            for future in completed:
                job = by_key[future.key]
                if future.status == "error" and self._retry_killed(future, retried):
                    completed.add(future)
                    continue
                answer = self._answer(job, future)
                future.release()
                on_result(job, answer)
        except BaseException:
            try:
                client.cancel(futures, force=True)
            except Exception:  # the connection may be what failed
                pass
            raise

    def _retry_killed(self, future: Any, retried: set[str]) -> bool:
        """Give a task whose worker died one more start when the scheduler did not.

        The scheduler gives up after ``allowed-failures`` worker deaths; with 0 that is the
        first one, so the retry the design promises has to come from here.
        """
        if future.key in retried or not isinstance(future.exception(), KilledWorker):
            return False
        if self.attempts(future.key) >= MAX_ATTEMPTS:
            return False
        retried.add(future.key)
        future.retry()
        return True

    def attempts(self, key: str) -> int:
        """How many times the task ``key`` has started (from the attempt events)."""
        try:
            events = self.client.get_events(ATTEMPTS_TOPIC)
        except Exception:
            return MAX_ATTEMPTS
        return sum(1 for _, msg in events if isinstance(msg, dict) and msg.get("key") == key)

    @staticmethod
    def _answer(job: Job, future: Any) -> WorkerAnswer:
        """The zygote's answer, or a ``crashed`` one saying why there is none."""
        if future.status == "cancelled":
            return crashed_answer("was cancelled by the Dask cluster (scheduler restarted or connection lost)")
        try:
            answer = json.loads(future.result())
        except KilledWorker:
            return crashed_answer(FAILED_TWICE)
        except Exception as exc:
            detail = f"{type(exc).__name__}: {exc}"[:500]
            return crashed_answer(f"could not be graded on the Dask cluster ({detail})")
        if not isinstance(answer, dict):
            return crashed_answer("got an unreadable answer from its Dask worker")
        return WorkerAnswer.from_dict(answer)


# --------------------------------------------------------------------------- worker side

_lock = threading.Lock()
_idle: list[WarmWorker] = []
_all: list[WarmWorker] = []


def _package_entry() -> str:
    """The sys.path entry this worker's ``autograder`` comes from (the uploaded zip)."""
    import autograder

    return os.path.dirname(os.path.dirname(os.path.abspath(autograder.__file__)))


def _checkout() -> WarmWorker:
    """A warm zygote for this thread: an idle one, or a new one (started on first use)."""
    with _lock:
        if _idle:
            return _idle.pop()
        zygote = WarmWorker(len(_all), None, pythonpath=_package_entry(), hidden=_hidden_paths())
        _all.append(zygote)
        return zygote


def _checkin(zygote: WarmWorker) -> None:
    with _lock:
        _idle.append(zygote)


def shutdown() -> None:
    """Stop this process's zygotes (at exit, or when a new code version replaces this one)."""
    with _lock:
        zygotes = list(_all)
        _all.clear()
        _idle.clear()
    for zygote in zygotes:
        zygote.stop()


atexit.register(shutdown)


def _hidden_paths() -> list[str]:
    """The uploaded code and this worker's Dask scratch space (other copies, spilled results).

    The sandbox shows only the OS and Python, so these matter only where they lie inside
    that (the sandbox never hides a folder that holds Python itself).
    """
    entry = Path(_package_entry())
    hide = [entry.parent if entry.is_file() else entry]
    try:
        hide.append(Path(get_worker().local_directory))
    except Exception:
        pass
    return [str(path.resolve()) for path in hide]


def _record_attempt() -> int:
    """Log this start of the current task; returns which start it is (1 = first)."""
    try:
        worker = get_worker()
        key = worker.get_current_task()
        client = get_client()
        earlier = sum(1 for _, msg in client.get_events(ATTEMPTS_TOPIC) if isinstance(msg, dict) and msg.get("key") == key)
        client.log_event(ATTEMPTS_TOPIC, {"key": key, "worker": worker.address, "pid": os.getpid()})
        return earlier + 1
    except Exception as exc:  # never fail a submission over bookkeeping
        log.warning("could not record the attempt: %s", exc)
        return 1


def grade_job(job_id: str, message: str, timeout_s: float) -> str:
    """The Dask task: run one job in this worker's warm zygote; returns its answer as JSON.

    Raises:
        WorkerError: if the zygote cannot start here (Dask then retries elsewhere once).
    """
    if _record_attempt() > MAX_ATTEMPTS:
        return json.dumps(crashed_answer(FAILED_TWICE).to_dict())
    job = json.loads(message)
    zygote = _checkout()
    started = time.monotonic()
    try:
        answer = zygote.run(Job(job_id, job, timeout_s))
    except WorkerError:
        zygote.stop()
        raise
    finally:
        _checkin(zygote)
    if not answer.seconds:
        answer.seconds = round(time.monotonic() - started, 3)
    return json.dumps(answer.to_dict())

"""A throwaway Dask cluster on this machine, bound to 127.0.0.1 only: for trying ``--scheduler``
out, for the tests and for the benchmark.

The scheduler and every worker are separate ``dask`` processes started from ``folder`` with
``PYTHONPATH`` cleared, so this checkout is not importable on the workers: everything of
``autograder`` they run arrives through the cluster, as on real remote machines.

    with LoopbackCluster(tmp_folder, workers=2) as cluster:
        grade(..., scheduler=str(cluster.scheduler_file))
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Self

HOST = "127.0.0.1"


class LoopbackCluster:
    """A scheduler and ``workers`` one-thread Dask workers (each under a nanny) as subprocesses.

    Args:
        folder: working directory of every process (logs and the scheduler file go here).
        workers: number of Dask workers; each grades one submission at a time.
        env: extra environment variables for every process (e.g. ``DASK_...`` settings).
    """

    def __init__(self, folder: Path, workers: int = 2, *, env: dict[str, str] | None = None) -> None:
        self.folder = Path(folder)
        self.workers = workers
        self.scheduler_file = self.folder / "scheduler.json"
        self._env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        self._env.update(env or {})
        self._procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child
        try:
            proc = subprocess.Popen([sys.executable, "-m", *args], cwd=self.folder, env=self._env, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()
        self._procs.append(proc)
        return proc

    def start(self, timeout_s: float = 120.0) -> None:
        """Start the scheduler and the workers; return once every worker has registered.

        Raises:
            RuntimeError: if they do not come up within ``timeout_s``.
        """
        from distributed import Client

        self.folder.mkdir(parents=True, exist_ok=True)
        self.scheduler_file.unlink(missing_ok=True)
        http = ["--no-dashboard", "--dashboard-address", f"{HOST}:0"]  # the HTTP server still binds: loopback
        self._spawn("scheduler", ["distributed.cli.dask_scheduler", "--host", HOST, "--port", "0", *http,
                                  "--scheduler-file", str(self.scheduler_file)])
        for n in range(self.workers):
            self._spawn(f"worker-{n}", ["distributed.cli.dask_worker", "--scheduler-file", str(self.scheduler_file),
                                        "--host", HOST, "--nthreads", "1", "--nworkers", "1", *http,
                                        "--local-directory", str(self.folder / f"worker-{n}")])
        deadline = time.monotonic() + timeout_s
        while not self.scheduler_file.exists():
            if time.monotonic() > deadline or self._procs[0].poll() is not None:
                self.close()
                raise RuntimeError(f"the Dask scheduler did not start (see {self.folder / 'scheduler.log'})")
            time.sleep(0.1)
        try:
            with Client(scheduler_file=str(self.scheduler_file), timeout="30s", set_as_default=False) as client:
                client.wait_for_workers(self.workers, timeout=max(1.0, deadline - time.monotonic()))
        except Exception as exc:
            self.close()
            raise RuntimeError(f"the Dask workers did not start ({exc}; see the logs in {self.folder})") from None

    @property
    def address(self) -> str:
        """The scheduler's address (``tcp://127.0.0.1:PORT``)."""
        import json

        return json.loads(self.scheduler_file.read_text())["address"]

    def close(self, timeout_s: float = 30.0) -> None:
        """Stop the workers (politely, then by force), then the scheduler."""
        workers, scheduler = self._procs[1:], self._procs[:1]
        for group in (workers, scheduler):
            for proc in group:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + timeout_s
            for proc in group:
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)  # its own session: the nanny and its worker
                    except OSError:
                        pass
                    proc.wait()
        self._procs.clear()

"""Where jobs run: the one interface the grading core uses, whatever machine runs the jobs.

A runner takes jobs (the messages :func:`autograder.grading.core.grade_submissions` builds)
and hands back each job's :class:`~autograder.sandbox.protocol.WorkerAnswer` (how it ended,
its records and output): it only *measures*. Judging stays with the caller, so expected
values never leave it.

- :class:`autograder.sandbox.pool.WorkerPool`: warm processes on this machine (default).
- :class:`autograder.distributed.dask_runner.DaskRunner`: warm processes on the workers of
  a Dask cluster (``--scheduler``).

:func:`autograder.grading.core.make_runner` picks one; nothing here imports either.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

from autograder.sandbox.protocol import WorkerAnswer


@dataclass
class Job:
    """One submission to run: an id and the message sent to the worker."""

    id: str
    message: dict[str, Any]
    timeout_s: float


ResultCallback = Callable[[Job, WorkerAnswer], None]


class RunnerError(RuntimeError):
    """A runner could not be set up at all (missing dependency, unreachable cluster)."""


class JobRunner(ABC):
    """Runs jobs somewhere and reports each answer back in the calling thread.

    Use as a context manager: entering connects or prepares (``open``), leaving releases
    every process or connection (``close``).
    """

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:  # noqa: B027 - optional hook
        """Prepare to run jobs (connect, upload code). Default: nothing to do."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release workers and connections. Default: nothing to do."""

    @abstractmethod
    def run(self, jobs: list[Job], on_result: ResultCallback) -> None:
        """Run every job; call ``on_result(job, answer)`` in the calling thread as each ends.

        Every job gets exactly one call: a job that could not run gets a
        :func:`autograder.sandbox.protocol.crashed_answer` with the reason.

        Raises:
            KeyboardInterrupt: propagated after the workers are stopped; answers already
                delivered are kept by the caller.
        """

"""What the grader and a warm worker say to each other, and what a job's answer holds.

The control channel is a ``SOCK_SEQPACKET`` Unix socket: one JSON message per packet.
The grader's ``run`` request carries the job's three pipe descriptors (``SCM_RIGHTS``) and
the limits, never the notebook: the notebook goes straight into the job pipe, the records
and output come straight out of theirs, and the warm worker never reads either.

grader → worker: ``{"kind": "configure", "hide"}`` once, first; ``{"kind": "run", "id", "limits"}`` + fds (job read end, records write end,
output write end); ``{"kind": "kill", "reason"}`` while a job runs.

worker → grader: ``{"kind": "ready", "pid", "import_s", "sandbox"}`` once warm;
``{"kind": "exit", "id", "status", "reason", "exit_code", "seconds", "peak_rss_mb", "sandbox"}``
per job.
"""

from __future__ import annotations

import json
import socket
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_MESSAGE = 64 * 1024
# the grader makes each worker's $HOME with this prefix; the worker removes it when it ends
WORKER_HOME_PREFIX = "autograder-worker-"
STATUSES = ("completed", "timeout", "memory", "crashed")


def send(sock: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    """Send one message (with descriptors, if any)."""
    data = json.dumps(message).encode()
    if fds:
        socket.send_fds(sock, [data], fds)
    else:
        sock.send(data)


def receive(sock: socket.socket, max_fds: int = 0) -> tuple[dict[str, Any] | None, list[int]]:
    """One message and its descriptors; ``(None, [])`` when the peer has gone."""
    try:
        if max_fds:
            data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE, max_fds)
        else:
            data, fds = sock.recv(MAX_MESSAGE), []
    except (ConnectionError, OSError):
        return None, []
    if not data:
        return None, list(fds)
    try:
        message = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None, list(fds)
    return (message if isinstance(message, dict) else None), list(fds)


@dataclass
class WorkerAnswer:
    """What running one job produced: measurements and how the run ended, never a verdict.

    Attributes:
        status: ``completed`` (the runner ended by itself), ``timeout``, ``memory`` or ``crashed``.
        reason: completes "Grading stopped: the notebook ..." when the status is not completed.
        exit_code: the runner's exit code (negative: the signal), when known.
        records: the record pipe's complete lines, as sent (ASCII JSON).
        incomplete_line: bytes after the last newline were received (a record cut short).
        output: the notebook's stdout/stderr, capped.
        seconds: wall-clock time of the job.
        peak_rss_mb: peak memory of the submission (its cgroup, or sampled RSS + tmpfs).
        sandbox: what the warm worker provided (``cgroup``: "v1"/"v2"/"", ``dedicated_uid``).
        infrastructure: the grading machinery failed (a worker died): not cached, retried.
        record_times: when each complete record line reached the grader, in seconds after the
            job was handed to the worker (the benchmark's timeline: set-up ends with the first).
        ended_s: when the worker reported the job's end (its tree killed and cleaned up), same clock.
    """

    status: str
    reason: str = ""
    exit_code: int | None = None
    records: list[str] = field(default_factory=list)
    incomplete_line: bool = False
    output: str = ""
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    sandbox: dict[str, Any] = field(default_factory=dict)
    infrastructure: bool = False
    record_times: list[float] = field(default_factory=list)
    ended_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (the Dask runner ships answers as JSON)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorkerAnswer:
        """Inverse of :meth:`to_dict`, ignoring unknown keys."""
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def crashed_answer(reason: str) -> WorkerAnswer:
    """The answer for a job that produced none because the grading machinery failed.

    ``reason`` completes the sentence "Grading stopped: the notebook ...". Marked
    ``infrastructure``, so it is not cached: the next run grades that submission again.
    """
    return WorkerAnswer(status="crashed", reason=reason, infrastructure=True)

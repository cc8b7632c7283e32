"""The runner: the one process that executes student code, then the probes, and reports.

Everything here runs next to code we do not trust, so it only *measures*. It reads its
job (the cells) from its own pipe, after the forks, and writes JSON lines to the record
pipe (see :mod:`autograder.wire`), in a fixed order that the grader checks
(:mod:`autograder.grading.channel`): one ``isolation`` record, one ``cell`` record as each
cell starts, a ``cells`` summary, one ``probe`` record per check in
:data:`autograder.probes.PROBES` order, and ``done``. Whatever student code writes into that
pipe can only make its own submission's records unreadable.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import signal
import sys
from typing import Any

from autograder import wire
from autograder.execution import CodeCell, install_otter_stub, run_cells
from autograder.probes import PROBES
from autograder.probes.runner import run_probes
from autograder.sandbox import isolation, linux, rootfs
from autograder.sandbox.jail import JailSettings, JobPipes

RECORD_FD = 3
JOB_FD = 4
MAX_JOB_BYTES = 64 * 1024 * 1024
EXIT_SETUP_FAILED = 72
"""The runner's exit code when its own setup failed, before any student code ran."""


class CappedWriter(io.TextIOBase):
    """A text stream that keeps the first ``cap`` characters and drops the rest."""

    def __init__(self, fd: int, cap: int) -> None:
        self._fd = fd
        self._left = cap
        self._noted = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            text = str(text)
        if self._left > 0:
            chunk = text[: self._left]
            self._left -= len(chunk)
            try:
                os.write(self._fd, chunk.encode("utf-8", "replace"))
            except OSError:
                self._left = 0
        elif not self._noted:
            self._noted = True
            try:
                os.write(self._fd, b"\n[output truncated by the grader]\n")
            except OSError:
                pass
        return len(text)

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False


def _arrange_descriptors(pipes: JobPipes) -> None:
    """stdin from /dev/null, stdout+stderr to the output pipe, records on 3, the job on 4; nothing else."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    wanted = {0: devnull, 1: pipes.output, 2: pipes.output, RECORD_FD: pipes.records, JOB_FD: pipes.job}
    # move every source above the targets first: a source may sit on another one's target number
    moved = {target: fcntl.fcntl(source, fcntl.F_DUPFD_CLOEXEC, 64) for target, source in wanted.items()}
    for target, source in moved.items():
        os.dup2(source, target)  # dup2 clears close-on-exec on the target
    os.closerange(JOB_FD + 1, 1 << 16)


def _read_job() -> dict[str, Any]:
    chunks, size = [], 0
    while size <= MAX_JOB_BYTES:
        chunk = os.read(JOB_FD, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    os.close(JOB_FD)
    job = json.loads(b"".join(chunks))
    if not isinstance(job, dict) or not isinstance(job.get("cells"), list):
        raise ValueError("malformed job")
    return job


def _emit(record: dict[str, Any]) -> None:
    try:
        line = wire.dumps_line(record)
    except Exception as exc:  # a measurement that is not plain data
        line = wire.dumps_line(
            {"kind": record.get("kind"), "id": record.get("id"), "error": {"type": "WireError", "message": str(exc)[:300]}}
        )
    view = memoryview(line.encode())
    while view:
        written = os.write(RECORD_FD, view)
        view = view[written:]


def _limit_threads(threads: int) -> None:
    """Size TensorFlow's thread pools (they are made at the first op, which has not run yet)."""
    if threads > 0:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)


def run(settings: JailSettings, pipes: JobPipes, report: isolation.IsolationReport) -> None:
    """Body of the runner process; never returns (ends with ``os._exit``)."""
    try:
        _arrange_descriptors(pipes)
        os.setsid()  # its own session: a CPU autogroup of its own where cgroups are missing
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        base_as = isolation.current_address_space()
        isolation.drop_privileges(settings.uid, settings.gid, report)
        isolation.note_unreadable_python(report)
        linux.set_dumpable(True)  # its own /proc files stay readable to itself (no core dumps: RLIMIT_CORE)
        isolation.restrict_system_calls(report)
        isolation.apply_rlimits(settings.limits, base_address_space=base_as)
        home = rootfs.WORKDIR if report.private_root else settings.host_workdir
        os.chdir(home)
        os.environ.clear()
        os.environ.update(isolation.student_environment(home, threads=settings.limits.threads))
        _limit_threads(settings.limits.threads)
        job = _read_job()
    except BaseException as exc:  # the setup failed before any student code: never run it half-isolated
        try:
            os.write(2, f"sandbox setup failed: {type(exc).__name__}: {exc}\n".encode())
        finally:
            os._exit(EXIT_SETUP_FAILED)
    _emit({"kind": "isolation", **report.to_dict()})
    limits = settings.limits
    sys.stdout = CappedWriter(1, limits.max_output_bytes)
    sys.stderr = sys.stdout
    sys.argv = ["notebook"]
    install_otter_stub()
    cells = [CodeCell(int(c["index"]), str(c["source"]), tuple(c.get("tags", ()))) for c in job["cells"]]
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
    log = run_cells(
        cells,
        namespace,
        cell_budget_s=limits.cell_timeout_s,
        on_cell_start=lambda cell: _emit({"kind": "cell", "index": cell.index}),
    )
    _emit({"kind": "cells", "cells": [{"index": c.index, "seconds": c.seconds, "error": c.error} for c in log.cells]})
    run_probes(PROBES, namespace, lambda rec: _emit({"kind": "probe", **rec}), budget_s=limits.probe_timeout_s)
    _emit({"kind": "done"})
    os._exit(0)

"""The forked child: isolate, run the notebook's cells, run the probes, report, exit.

Everything here runs in the process that executes student code, so it only *measures*.
It talks to the zygote through one pipe of JSON lines (see ``checks.wire``): an
``isolation`` record, one ``cell`` record as each cell starts, a ``cells`` summary, one
``probe`` record per check, and ``done``. Whatever student code writes into that pipe can
only make its own measurements wrong.
"""

from __future__ import annotations

import io
import os
import signal
import sys
from typing import Any

from autograder.checks import ALL_CHECKS, wire
from autograder.checks.runner import run_probes
from autograder.execution import CodeCell, install_otter_stub, run_cells
from autograder.sandbox import isolation
from autograder.sandbox.limits import SandboxLimits


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


def run(job: dict[str, Any], record_fd: int, capture_fd: int, workdir: str, uid: int, gid: int) -> None:
    """Body of the child process; never returns (ends with ``os._exit``).

    Args:
        job: the job message (cells, limits, paths to hide).
        record_fd: write end of the record pipe.
        capture_fd: file that receives stdout/stderr.
        workdir: the child's private working directory (already owned by ``uid``).
        uid, gid: the unprivileged identity to drop to when running as root.
    """
    limits = SandboxLimits.from_dict(job.get("limits", {}))
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(capture_fd, 1)
    os.dup2(capture_fd, 2)
    keep = 3
    os.dup2(record_fd, keep)
    os.closerange(keep + 1, 65536)
    record_fd = keep
    os.setsid()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def emit(record: dict[str, Any]) -> None:
        try:
            line = wire.dumps_line(record)
        except Exception as exc:  # a measurement that is not plain data
            line = wire.dumps_line(
                {"kind": record.get("kind"), "id": record.get("id"), "error": {"type": "WireError", "message": str(exc)[:300]}}
            )
        data = line.encode()
        view = memoryview(data)
        while view:
            written = os.write(record_fd, view)
            view = view[written:]

    report = isolation.IsolationReport()
    base_as = isolation.current_address_space()
    if isolation.enter_namespaces(report):
        isolation.mask_paths(job.get("protect", []), report)
    try:
        isolation.drop_privileges(uid, gid, report)
    except OSError as exc:
        report.notes.append(f"could not drop privileges ({exc})")
    os.chdir(workdir)
    env = isolation.scrubbed_environment(workdir)
    os.environ.clear()
    os.environ.update(env)
    isolation.apply_rlimits(limits, base_address_space=base_as)
    emit({"kind": "isolation", **report.__dict__})

    sys.stdout = CappedWriter(1, limits.max_output_bytes)
    sys.stderr = sys.stdout
    sys.argv = ["notebook"]
    install_otter_stub()
    cells = [CodeCell(c["index"], c["source"], tuple(c.get("tags", ()))) for c in job["cells"]]
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
    log = run_cells(
        cells,
        namespace,
        cell_budget_s=limits.cell_timeout_s,
        on_cell_start=lambda cell: emit({"kind": "cell", "index": cell.index}),
    )
    emit({"kind": "cells", "cells": [{"index": c.index, "seconds": c.seconds, "error": c.error} for c in log.cells]})
    run_probes(ALL_CHECKS, namespace, lambda rec: emit({"kind": "probe", **rec}), budget_s=limits.probe_timeout_s)
    emit({"kind": "done"})
    os._exit(0)

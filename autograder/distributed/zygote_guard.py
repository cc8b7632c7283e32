"""The warm worker (zygote) as a Dask worker runs it: the same process, plus a watch on its parent.

A local zygote ends when the grader closes its stdin. A Dask worker can die abruptly
(SIGKILL, the out-of-memory killer, a batch job reaching its wall time) while a submission
is running; the zygote would then finish that submission for nobody, holding a core and
its sandbox uid. This wrapper watches the parent and, once it is gone, kills the
submission's process tree and exits.

Run (by :mod:`autograder.distributed.dask_runner`): ``python -m autograder.distributed.zygote_guard --slot N``.
"""

from __future__ import annotations

import os
import threading
import time

import psutil

from autograder.sandbox import zygote

WATCH_S = 0.5
"""How often the parent is checked."""


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_S)
    try:
        victims = psutil.Process().children(recursive=True)
    except psutil.Error:
        victims = []
    for proc in victims:
        try:
            proc.kill()
        except psutil.Error:
            pass
    os._exit(0)


def main(argv: list[str] | None = None) -> int:
    """Start the parent watch, then serve jobs like :func:`autograder.sandbox.zygote.main`."""
    threading.Thread(target=_watch, args=(os.getppid(),), daemon=True, name="parent-watch").start()
    return zygote.main(argv)


if __name__ == "__main__":
    raise SystemExit(main())

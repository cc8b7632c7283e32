"""One time budget for a block of code: the alarm behind the per-cell and per-check limits.

The untrusted process runs each notebook cell and each probe under a wall-clock budget so
that one runaway loop costs one cell or one check, not the submission. The budget raises an
exception the caller names; it should be a ``BaseException`` so that a student's
``except Exception`` cannot swallow it.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def time_budget(seconds: float, over_budget: type[BaseException]) -> Iterator[None]:
    """Raise ``over_budget()`` in the block if it runs longer than ``seconds``.

    Args:
        seconds: the wall-clock budget; 0 (or a platform without ``setitimer``) means none.
        over_budget: the exception to raise when time is up.

    The alarm needs the main thread (``signal.signal`` refuses others): callers on another
    thread pass 0. The handler that was installed before the block is restored after it.
    """
    if seconds <= 0 or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise over_budget()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)

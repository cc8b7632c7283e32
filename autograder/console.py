"""The terminal: progress bar, score table and notices (the library itself only logs)."""

from __future__ import annotations

import logging
from typing import Any

from rich.console import Console as RichConsole
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from autograder.checks import QUESTIONS
from autograder.grading.results import SubmissionResult
from autograder.text import terminal_safe, without_controls


class _Bar:
    def __init__(self, console: RichConsole, total: int) -> None:
        self._progress = Progress(
            TextColumn("grading"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[last]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._task = self._progress.add_task("grading", total=total, last="")
        self._progress.start()

    def advance(self, result: SubmissionResult) -> None:
        self._progress.update(self._task, advance=1,
                              last=f"{terminal_safe(result.key[:24])} {result.score:g}/{result.max_score:g}")

    def close(self) -> None:
        self._progress.stop()


class LogFormatter(logging.Formatter):
    """Log lines for the terminal: a logged file name or message never carries a control sequence."""

    def format(self, record: logging.LogRecord) -> str:
        return without_controls(super().format(record))


class Console:
    """What the CLI shows a TA."""

    def __init__(self, **kwargs: Any) -> None:
        self.rich = RichConsole(**kwargs)
        self._noted: set[str] = set()

    def progress(self, total: int) -> _Bar:
        """A progress bar with counts and ETA."""
        return _Bar(self.rich, total)

    def note_once(self, text: str) -> None:
        """Print a notice once per run (``text`` is shown literally, never as markup)."""
        if text not in self._noted:
            self._noted.add(text)
            self.rich.print(f"[yellow]note:[/yellow] {terminal_safe(text)}")

    def error(self, text: str) -> None:
        """Print an error line (``text`` is shown literally, never as markup)."""
        self.rich.print(f"[red]error:[/red] {terminal_safe(text)}")

    def score_table(self, results: list[SubmissionResult]) -> None:
        """The summary table: one row per submission, per-question scores."""
        table = Table(title="Scores")
        table.add_column("submission")
        table.add_column("status")
        for q in QUESTIONS:
            table.add_column(q, justify="right")
        table.add_column("score", justify="right")
        table.add_column("time (s)", justify="right")
        for r in results:
            per_q = r.question_scores()
            style = {"graded": "", "error": "red", "timeout": "yellow"}.get(r.status, "")
            table.add_row(
                terminal_safe(r.key),
                f"[{style}]{r.status}[/{style}]" if style else r.status,
                *[f"{per_q.get(q, (0, 0))[0]:g}/{per_q.get(q, (0, 0))[1]:g}" for q in QUESTIONS],
                f"{r.score:g}/{r.max_score:g}",
                f"{r.seconds:.1f}",
            )
        self.rich.print(table)
        for r in results:
            if r.reason:
                self.rich.print(f"[dim]{terminal_safe(r.key)}: {terminal_safe(r.reason)}[/dim]")

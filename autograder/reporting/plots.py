"""Class report plots, rendered with matplotlib's Agg canvas into PNG ``data:`` URIs.

Figures are built with :class:`matplotlib.figure.Figure` directly (never ``pyplot``), so no
global backend is selected and nothing is left open between calls.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from autograder.grading.results import SubmissionResult
from autograder.reporting.summary import ScoreStat, TestStat

STATUS_COLORS = {"graded": "#4c78a8", "error": "#e45756", "timeout": "#f58518"}
OTHER_COLOR = "#9d9d9d"
QUESTION_COLORS = ("#4c78a8", "#f58518", "#54a24b", "#b279a2", "#72b7b2", "#eeca3b", "#ff9da6", "#9d755d")
DPI = 100
WIDTH = 10.0
"""Inches of a full-width plot (1000 px: the report's content width)."""
HALF_WIDTH = 5.0
"""Inches of a plot shown beside another one."""


def _figure(height: float, width: float = WIDTH) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=9)
    return fig, ax


def _fit_margins(fig: Figure, ax: Axes, *, legend_top: bool = False) -> None:
    """Fixed margins around the axes, the left one as wide as the y tick labels.

    Measuring the labels costs a text layout only, where matplotlib's layout engines draw the
    whole figure once more before saving it.
    """
    renderer = fig.canvas.get_renderer()
    labels = [t.get_window_extent(renderer).width for t in ax.get_yticklabels() if t.get_text()]
    width_in, height_in = fig.get_size_inches()
    left = (max(labels, default=0.0) / DPI) + 0.45
    top = 0.35 if legend_top else 0.15
    fig.subplots_adjust(left=left / width_in, right=1 - 0.25 / width_in, bottom=0.5 / height_in, top=1 - top / height_in)


def _data_uri(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _question_color(question: str, questions: Sequence[str]) -> str:
    return QUESTION_COLORS[questions.index(question) % len(QUESTION_COLORS)]


def score_histogram(results: Sequence[SubmissionResult], max_score: float) -> str | None:
    """Histogram of total scores, stacked by status.

    Args:
        results: the class.
        max_score: the assignment's total (the x axis runs from 0 to it).

    Returns:
        A PNG data URI, or ``None`` when there is nothing to plot.
    """
    if not results:
        return None
    scores = np.array([r.score for r in results], dtype=float)
    top = max(float(max_score), float(scores.max()), 1.0)
    if top <= 60 and np.allclose(scores, np.round(scores)):
        edges = np.arange(-0.5, np.ceil(top) + 1.0, 1.0)
    else:
        edges = np.linspace(0.0, top, 21)
    statuses = [s for s in STATUS_COLORS if any(r.status == s for r in results)]
    statuses += sorted({r.status for r in results} - set(STATUS_COLORS))
    groups = [[r.score for r in results if r.status == s] for s in statuses]
    colors = [STATUS_COLORS.get(s, OTHER_COLOR) for s in statuses]
    fig, ax = _figure(3.2, HALF_WIDTH)
    ax.hist(groups, bins=edges, stacked=True, color=colors, label=statuses, edgecolor="white", linewidth=0.6)
    ax.set_xlabel(f"score (out of {max_score:g})", fontsize=9)
    ax.set_ylabel("submissions", fontsize=9)
    ax.set_xlim(edges[0], edges[-1])
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=8, frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=len(statuses), borderaxespad=0.2)
    _fit_margins(fig, ax, legend_top=True)
    return _data_uri(fig)


def pass_rate_chart(tests: Sequence[TestStat]) -> str | None:
    """Horizontal bars: the share of submissions passing each test, colored by question."""
    if not tests:
        return None
    questions = list(dict.fromkeys(t.question for t in tests))
    rates = [100.0 * t.pass_rate for t in tests]
    positions = np.arange(len(tests))
    fig, ax = _figure(0.9 + 0.28 * len(tests))
    ax.barh(positions, rates, color=[_question_color(t.question, questions) for t in tests], height=0.7)
    ax.set_yticks(positions, [t.name for t in tests], fontsize=8, parse_math=False)
    ax.set_ylim(len(tests) - 0.5, -0.5)  # first test on top, no blank band above it
    ax.set_xlim(0, 112)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("submissions passing (%)", fontsize=9)
    for y, rate, t in zip(positions, rates, tests, strict=True):
        ax.text(rate + 1, y, f"{rate:.0f}% ({t.passed}/{t.total})", va="center", fontsize=7.5, color="#333333")
    _fit_margins(fig, ax)
    return _data_uri(fig)


def question_chart(questions: Sequence[ScoreStat]) -> str | None:
    """Vertical bars: the mean score of each question as a percentage of its points."""
    if not questions:
        return None
    names = [q.label for q in questions]
    values = [q.mean_percent for q in questions]
    fig, ax = _figure(3.2, HALF_WIDTH)
    ax.bar(names, values, color=[_question_color(n, names) for n in names], width=0.6)
    ax.set_ylim(0, 110)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_ylabel("mean score (% of points)", fontsize=9)
    for x, value in enumerate(values):
        ax.text(x, value + 2, f"{value:.0f}%", ha="center", fontsize=8)
    _fit_margins(fig, ax)
    return _data_uri(fig)


def slowest_chart(slowest: Sequence[SubmissionResult]) -> str | None:
    """Horizontal bars: grading time of the slowest submissions, colored by status."""
    if not slowest:
        return None
    positions = np.arange(len(slowest))
    seconds = [r.seconds for r in slowest]
    fig, ax = _figure(0.9 + 0.3 * len(slowest))
    ax.barh(positions, seconds, color=[STATUS_COLORS.get(r.status, OTHER_COLOR) for r in slowest], height=0.7)
    ax.set_yticks(positions, [r.key for r in slowest], fontsize=8, parse_math=False)
    ax.set_ylim(len(slowest) - 0.5, -0.5)
    ax.set_xlabel("grading time (s)", fontsize=9)
    ax.set_xlim(0, max(max(seconds), 1e-3) * 1.15)
    for y, r in zip(positions, slowest, strict=True):
        ax.text(r.seconds, y, f" {r.seconds:.1f} s ({r.status})", va="center", fontsize=7.5, color="#333333")
    _fit_margins(fig, ax)
    return _data_uri(fig)

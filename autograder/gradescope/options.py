"""The instructor's Gradescope options (``gradescope_config.json`` beside ``otter_config.json``).

- ``feedback_before_publishing``: what a student sees of a submission before the grades are
  published: ``"none"``, ``"total"`` (the default), ``"questions"`` (the total and each
  question's score) or ``"tests"`` (every check and its message at once). Per-question scores
  and check messages at once let students probe the hidden checks by resubmitting.
- ``max_graded_submissions``: grade at most this many submissions per student (``null``: no
  limit); later ones get a message and keep the ``keep_score`` (``"best"`` or ``"last"``)
  graded score, read from Gradescope's ``submission_metadata.json``.
- ``cell_timeout_seconds`` and ``notebook_timeout_seconds``: how long one cell, and the whole
  notebook with its hidden checks, may run before it is stopped (``null``: the grader's
  defaults, 60 and 180 s). Keep the notebook's budget well inside Gradescope's own timeout
  (10 minutes by default), so that a submission that hangs still gets its results.json.

The build validates the file and ships it in the zip; ``run_autograder`` reads it there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jsonschema

from autograder import paths
from autograder.sandbox.limits import SandboxLimits

DEFAULT_CONFIG = paths.CODE_ROOT / paths.GRADESCOPE_CONFIG_NAME
"""Beside the package: the checkout's root, or the unpacked zip (an installed package has none: defaults)."""
FEEDBACK_LEVELS = ("none", "total", "questions", "tests")
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "feedback_before_publishing": {"enum": list(FEEDBACK_LEVELS)},
        "max_graded_submissions": {"anyOf": [{"type": "null"}, {"type": "integer", "minimum": 1}]},
        "keep_score": {"enum": ["best", "last"]},
        "cell_timeout_seconds": {"anyOf": [{"type": "null"}, {"type": "number", "exclusiveMinimum": 0}]},
        "notebook_timeout_seconds": {"anyOf": [{"type": "null"}, {"type": "number", "exclusiveMinimum": 0,
                                                                  "maximum": 3600}]},
    },
    "additionalProperties": False,
}


class OptionsError(ValueError):
    """The options file is unreadable or invalid; the message names the file and the problem."""


@dataclass(frozen=True)
class GradescopeOptions:
    """See the module docstring."""

    feedback_before_publishing: str = "total"
    max_graded_submissions: int | None = None
    keep_score: str = "best"
    cell_timeout_seconds: float | None = None
    notebook_timeout_seconds: float | None = None

    def base_limits(self) -> SandboxLimits:
        """The grader's default limits with the instructor's time budgets."""
        limits = SandboxLimits()
        return replace(limits, cell_timeout_s=self.cell_timeout_seconds or limits.cell_timeout_s,
                       timeout_s=self.notebook_timeout_seconds or limits.timeout_s)

    @classmethod
    def load(cls, path: Path = DEFAULT_CONFIG) -> GradescopeOptions:
        """Read and validate ``path`` (defaults when it does not exist).

        Raises:
            OptionsError: if it is not valid JSON or breaks the schema.
        """
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise OptionsError(f"{path}: not readable JSON ({exc})") from None
        error = next(iter(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data)), None)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "the file"
            raise OptionsError(f"{path}: {where}: {error.message}")
        return cls(**data)

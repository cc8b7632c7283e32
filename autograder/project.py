"""The project's own metadata, read from ``pyproject.toml``: its pins, in one place.

The runtime dependencies are also what Gradescope's image locks
(:mod:`autograder.gradescope.lock`); the ``dev`` extra holds the pinned Otter that the
student notebook installs where it is missing.
"""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Any

from autograder import paths


@cache
def _pyproject() -> dict[str, Any]:
    return tomllib.loads(paths.in_project("pyproject.toml").read_text(encoding="utf-8"))


def runtime_requirements() -> list[str]:
    """``[project.dependencies]``: the grading runtime, pinned."""
    return list(_pyproject()["project"]["dependencies"])


def extra_requirements(extra: str) -> list[str]:
    """One ``[project.optional-dependencies]`` extra, pinned."""
    return list(_pyproject()["project"]["optional-dependencies"][extra])


def pin(package: str) -> str:
    """``package==version`` as pinned anywhere in the project (runtime or an extra)."""
    everything = runtime_requirements() + [r for extra in _pyproject()["project"]["optional-dependencies"]
                                           for r in extra_requirements(extra)]
    return next(r for r in everything if r.split("==")[0].lower() == package.lower())

"""Shared fixtures: template-based submissions and one grading call that reuses workers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # quieter logs from TensorFlow subprocesses



@pytest.fixture(scope="session")
def solution_answers() -> dict[str, str]:
    """The master's solution code per question."""
    from helpers import solution_answers as load

    return load()


@pytest.fixture(scope="session")
def expected_path() -> Path:
    """Reference measurements, built once for the whole session."""
    from autograder.checks.expected import ensure_expected
    from autograder.grading.core import DEFAULT_EXPECTED

    ensure_expected(DEFAULT_EXPECTED)
    return DEFAULT_EXPECTED

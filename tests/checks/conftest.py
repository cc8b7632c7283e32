"""Shared fixtures of the hidden-check tests: reference namespaces, measurements and corpus results.

Everything expensive is computed once per session: the reference measurements (every probe on
every reference variant) and, lazily, the grading of each corpus answer.
"""

from __future__ import annotations

from typing import Any

import pytest
from corpus_grading import CorpusGrader


@pytest.fixture(scope="session")
def reference_namespaces() -> list[dict[str, Any]]:
    from autograder.checks import expected

    return expected.reference_namespaces()


@pytest.fixture(scope="session")
def expected_measurements() -> dict[str, list[Any]]:
    from autograder.checks import expected

    return expected.compute_expected()


@pytest.fixture(scope="session")
def corpus_grader(
    reference_namespaces: list[dict[str, Any]], expected_measurements: dict[str, list[Any]]
) -> CorpusGrader:
    return CorpusGrader(reference_namespaces[0], expected_measurements)

"""Shared fixtures of the hidden-check tests: reference namespaces, measurements.

Everything expensive is computed once per session: the reference measurements (every probe on
every reference variant).
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def reference_namespaces() -> list[dict[str, Any]]:
    from autograder.checks import expected

    return expected.reference_namespaces()


@pytest.fixture(scope="session")
def expected_measurements() -> dict[str, list[Any]]:
    from autograder.checks import expected

    return expected.compute_expected()

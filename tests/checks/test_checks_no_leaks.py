"""No judge message reveals a hidden input value or an expected number.

The corpus's failure messages are searched in ``tests/test_corpus_graded.py`` (graded once,
through the sandboxed grader); here, that the search covers every check and can find a leak.
"""

from __future__ import annotations

from typing import Any

import pytest
from hidden_numbers import DECIMAL, hidden_renderings

from autograder.probes import q1, q2, q3, q4

pytestmark = pytest.mark.xdist_group("reference_measurements")  # measured once per session: one worker


def test_hidden_arrays_cover_every_check() -> None:
    from autograder.checks import ALL_CHECKS

    covered = {cid for module in (q1, q2, q3, q4) for cid in module.hidden_arrays()}
    has_arrays = {c.id for c in ALL_CHECKS} - {"q2_weights_at_construction"}  # builds layers, no inputs
    assert has_arrays <= covered


def test_secrets_are_detected(expected_measurements: dict[str, list[Any]]) -> None:
    value = float(q3.hidden_arrays()["q3_numerics_inference"][0].ravel()[0])
    message = f"your output was {value:.4g} here"
    assert set(DECIMAL.findall(message)) & hidden_renderings(expected_measurements)

"""No judge message reveals a hidden input value or an expected number."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from corpus import load_corpus
from corpus_grading import CorpusGrader

from autograder.probes import q1, q2, q3, q4

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # Keras warns about the mutants' layers

MUTANTS = [e for e in load_corpus() if e.kind == "mutant"]
DECIMAL = re.compile(r"\d*\.\d+(?:e[-+]?\d+)?|\d+(?:\.\d+)?e[-+]?\d+")


def _floats(value: Any) -> list[float]:
    """Every non-integer number inside a measurement or array structure."""
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    if isinstance(value, (list, tuple)):
        return [f for v in value for f in _floats(v)]
    if isinstance(value, np.ndarray):
        if value.dtype.kind != "f":
            return []
        return [float(v) for v in value.ravel()]
    if isinstance(value, float):
        return [value]
    return []


def _renderings(values: list[float]) -> set[str]:
    """How a hidden value would show in a message: 3 and 4 significant digits, no sign."""
    out = set()
    for v in values:
        if not np.isfinite(v) or float(v).is_integer():
            continue
        for spec in (".3g", ".4g"):
            out.add(format(abs(v), spec))
    return out


@pytest.fixture(scope="module")
def secrets(expected_measurements: dict[str, list[Any]]) -> set[str]:
    hidden = [a for module in (q1, q2, q3, q4) for arrays in module.hidden_arrays().values() for a in arrays]
    return _renderings(_floats(hidden)) | _renderings(_floats(expected_measurements))


def test_hidden_arrays_cover_every_check() -> None:
    from autograder.checks import ALL_CHECKS

    covered = {cid for module in (q1, q2, q3, q4) for cid in module.hidden_arrays()}
    has_arrays = {c.id for c in ALL_CHECKS} - {"q2_weights_at_construction"}  # builds layers, no inputs
    assert has_arrays <= covered


def test_secrets_are_detected(secrets: set[str]) -> None:
    value = float(q3.hidden_arrays()["q3_numerics_inference"][0].ravel()[0])
    message = f"your output was {value:.4g} here"
    assert {token for token in DECIMAL.findall(message)} & secrets


@pytest.mark.slow
@pytest.mark.parametrize("entry", MUTANTS, ids=[e.id for e in MUTANTS])
def test_failure_messages_hide_inputs_and_expected_numbers(
    entry: Any, corpus_grader: CorpusGrader, secrets: set[str]
) -> None:
    results, _ = corpus_grader.grade(entry)
    for result in results.values():
        leaked = set(DECIMAL.findall(result.message)) & secrets
        assert not leaked, (
            f"{result.check_id} message shows hidden numbers {sorted(leaked)}: {result.message}"
        )

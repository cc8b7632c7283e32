"""Every hidden check passes on every accepted reference variant, deterministically."""

from __future__ import annotations

import json
from typing import Any

import pytest
from probe_records import run_record

from autograder import wire
from autograder.checks import ALL_CHECKS, CHECKS_BY_ID, QUESTIONS, max_points
from autograder.checks.judging import judge
from autograder.checks.redact import Redactor

pytestmark = pytest.mark.xdist_group("reference_measurements")  # measured once per session: one worker

DESIGN_TABLE = {
    "q1": [
        "q1_shift_shape_dtype",
        "q1_shift_values",
        "q1_pooling_change",
        "q1_fraction_unchanged",
        "q1_finding",
    ],
    "q2": ["q2_weights_at_construction", "q2_weights_tracked", "q2_call"],
    "q3": [
        "q3_is_custom_layer",
        "q3_output_shapes",
        "q3_weight_counts",
        "q3_numerics_inference",
        "q3_numerics_training",
    ],
    "q4": [
        "q4_activity_identity",
        "q4_activity_loss",
        "q4_losses_reset",
        "q4_train_step_value",
        "q4_train_step_update",
    ],
}
VARIANTS = ["auto-nobias", "auto-bias", "always-nobias", "always-bias"]


def test_registry_matches_design_table() -> None:
    assert [c.id for c in ALL_CHECKS] == [cid for q in QUESTIONS for cid in DESIGN_TABLE[q]]
    assert all(c.id.startswith(c.question + "_") and c.points == 1.0 for c in ALL_CHECKS)
    assert [max_points(q) for q in QUESTIONS] == [5.0, 3.0, 5.0, 5.0]


@pytest.fixture(scope="module")
def reference_records(reference_namespaces: list[dict[str, Any]]) -> list[dict[str, dict[str, Any]]]:
    """A second run of every probe on every reference variant (the first made the expected)."""
    return [{check.id: run_record(check, ns) for check in ALL_CHECKS} for ns in reference_namespaces]


@pytest.mark.parametrize("variant", range(len(VARIANTS)), ids=VARIANTS)
@pytest.mark.parametrize("check_id", list(CHECKS_BY_ID))
def test_check_passes_on_reference(
    check_id: str,
    variant: int,
    reference_records: list[dict[str, Any]],
    expected_measurements: dict[str, list[Any]],
) -> None:
    record = reference_records[variant][check_id]
    assert "error" not in record, record.get("error")
    result = judge(CHECKS_BY_ID[check_id], record, expected_measurements[check_id], Redactor())
    assert result.passed, result.message
    assert result.score == result.points


@pytest.mark.parametrize("variant", range(len(VARIANTS)), ids=VARIANTS)
@pytest.mark.parametrize("check_id", list(CHECKS_BY_ID))
def test_probe_is_deterministic(
    check_id: str,
    variant: int,
    reference_records: list[dict[str, Any]],
    expected_measurements: dict[str, list[Any]],
) -> None:
    again = json.dumps(wire.encode(reference_records[variant][check_id]["data"]), sort_keys=True)
    first = json.dumps(wire.encode(expected_measurements[check_id][variant]), sort_keys=True)
    assert again == first


@pytest.mark.parametrize("check_id", list(CHECKS_BY_ID))
def test_measurement_survives_the_wire(check_id: str, expected_measurements: dict[str, list[Any]]) -> None:
    for measurement in expected_measurements[check_id]:
        line = wire.dumps_line({"id": check_id, "data": measurement})
        assert wire.dumps_line(wire.loads_line(line)) == line


@pytest.mark.parametrize("check_id", ["q3_numerics_inference", "q3_numerics_training"])
def test_all_figure_variants_compute_the_same_numbers(
    check_id: str, expected_measurements: dict[str, list[Any]]
) -> None:
    first, *others = (m["configs"] for m in expected_measurements[check_id])
    for other in others:
        assert [c["out"].tolist() for c in other] == [c["out"].tolist() for c in first]


def test_missing_names_and_stubs_fail_with_teaching_messages(
    reference_namespaces: list[dict[str, Any]], expected_measurements: dict[str, list[Any]]
) -> None:
    empty: dict[str, Any] = {}
    stubs = {name: ... for name in reference_namespaces[0]}
    for check in ALL_CHECKS:
        missing = judge(check, run_record(check, empty), expected_measurements[check.id], Redactor())
        assert not missing.passed and "is not defined" in missing.message
        stub = judge(check, run_record(check, stubs), expected_measurements[check.id], Redactor())
        assert not stub.passed and "still `...`" in stub.message


@pytest.mark.parametrize("check_id", list(CHECKS_BY_ID))
def test_judges_survive_malformed_measurements(
    check_id: str, expected_measurements: dict[str, list[Any]]
) -> None:
    check = CHECKS_BY_ID[check_id]
    for junk in ({}, {"configs": "x"}, {"configs": [{}]}, {"configs": [{"ok": True}] * 6}, {"instance": 3}):
        verdict = check.judge(junk, expected_measurements[check_id])
        assert not verdict.passed and verdict.message


def test_the_fingerprint_ignores_a_reference_folder_ahead_on_the_path(tmp_path):
    """A folder named ``reference`` without ``__init__.py`` (a namespace package) in a script's folder
    must not change what the measurements are fingerprinted from (it made them "stale" forever)."""
    import subprocess
    import sys

    from autograder.checks.expected import fingerprint

    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "notes.py").write_text("x = 1\n")
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import importlib.util; "
            "assert importlib.util.find_spec('reference').origin is None; "
            "from autograder.checks.expected import fingerprint; print(fingerprint())")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=tmp_path, capture_output=True, text=True,
                          check=True)
    assert proc.stdout.strip() == fingerprint()

"""The probe half of the hidden checks: the only checking code that enters the student's process.

Each probe calls the student's objects on hidden inputs and returns plain data. Judges,
tolerances, messages and expected values stay in :mod:`autograder.checks`, in the grader.
``PROBES`` is the order in which the sandbox runs them and the grader expects their records.
"""

from __future__ import annotations

from autograder.probes import q1, q2, q3, q4
from autograder.probes.base import Probe

PROBES: tuple[tuple[str, Probe], ...] = (
    ("q1_shift_shape_dtype", q1.probe_shift_shape_dtype),
    ("q1_shift_values", q1.probe_shift_values),
    ("q1_pooling_change", q1.probe_pooling_change),
    ("q1_fraction_unchanged", q1.probe_fraction_unchanged),
    ("q1_finding", q1.probe_finding),
    ("q2_weights_at_construction", q2.probe_weights_at_construction),
    ("q2_weights_tracked", q2.probe_weights_tracked),
    ("q2_call", q2.probe_call),
    ("q3_is_custom_layer", q3.probe_is_custom_layer),
    ("q3_output_shapes", q3.probe_output_shapes),
    ("q3_weight_counts", q3.probe_weight_counts),
    ("q3_numerics_inference", q3.probe_numerics_inference),
    ("q3_numerics_training", q3.probe_numerics_training),
    ("q4_activity_identity", q4.probe_activity_identity),
    ("q4_activity_loss", q4.probe_activity_loss),
    ("q4_losses_reset", q4.probe_losses_reset),
    ("q4_train_step_value", q4.probe_train_step_value),
    ("q4_train_step_update", q4.probe_train_step_update),
)
PROBE_IDS: tuple[str, ...] = tuple(check_id for check_id, _ in PROBES)

__all__ = ["PROBES", "PROBE_IDS"]

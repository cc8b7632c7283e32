"""q2 judges (run in the grader only): compare the probes' measurements with the reference's.

The probes, their hidden inputs and the configurations are in :mod:`autograder.probes.q2`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks.base import Check, Verdict
from autograder.checks.comparing import allclose, judge_configs
from autograder.probes import q2 as probes
from autograder.probes.base import Measurement
from autograder.probes.measuring import shape_text


def judge_weights_at_construction(measured: Measurement, expected: list[Measurement]) -> Verdict:
    """Exactly a kernel (input_dim, units) and a bias (units,) before any call."""

    def compare(got: dict[str, Any], want: dict[str, Any]) -> str | None:
        shapes, wanted = got.get("shapes"), want.get("shapes")
        if shapes == wanted:
            return None
        units, input_dim = want.get("units"), want.get("input_dim")
        kernel, bias = [input_dim, units], [units]
        found = ", ".join(shape_text(s) for s in shapes) if isinstance(shapes, list) and shapes else ""
        if not shapes:
            return (
                "the layer has no weights before its first call. Create the kernel and the bias in "
                "__init__ with self.add_weight(...): a build method only runs at the first call."
            )
        if isinstance(shapes, list) and [units, input_dim] in shapes and kernel not in shapes:
            return (
                f"the kernel has shape (units, input_dim) = {shape_text([units, input_dim])}; it should be "
                f"(input_dim, units) = {shape_text(kernel)} so that call computes x @ w."
            )
        return (
            f"found weights of shapes {found}; the layer needs exactly a kernel {shape_text(kernel)} "
            f"(input_dim, units) and a bias {shape_text(bias)} (units,)."
        )

    return judge_configs(
        measured,
        expected,
        compare,
        passed="The kernel (input_dim, units) and the bias (units,) exist right after construction.",
    )


def judge_weights_tracked(measured: Measurement, expected: list[Measurement]) -> Verdict:
    """Two tracked weights, both trainable, and no untracked variables."""

    # Counts only: wrong shapes are the construction check's business.
    def count(config: dict[str, Any], key: str) -> int:
        value = config.get(key)
        return len(value) if isinstance(value, list) else -1

    def compare(got: dict[str, Any], want: dict[str, Any]) -> str | None:
        keys = ("weights", "trainable", "non_trainable")
        if all(count(got, k) == count(want, k) for k in keys) and not got.get("untracked"):
            return None
        n_weights = count(got, "weights")
        if got.get("untracked"):
            return (
                f"layer.weights holds {_weights_text(n_weights)} but the layer also stores variables Keras "
                "does not track: Keras 3 ignores a tf.Variable assigned as an attribute. Create the kernel "
                "and the bias with self.add_weight(...)."
            )
        if n_weights != count(want, "weights"):
            return (
                f"layer.weights holds {_weights_text(n_weights)}; it should hold exactly two, the kernel "
                "and the bias, both created with self.add_weight(...)."
            )
        if count(got, "non_trainable") > 0:
            return (
                "some weights are non-trainable; both the kernel and the bias must be in "
                "layer.trainable_weights."
            )
        return "layer.trainable_weights should hold exactly the kernel and the bias."

    return judge_configs(
        measured,
        expected,
        compare,
        passed="layer.weights and layer.trainable_weights hold exactly the kernel and the bias.",
    )


def _weights_text(n: int) -> str:
    return "no weights" if n <= 0 else f"{n} weight{'s' if n != 1 else ''}"


def judge_call(measured: Measurement, expected: list[Measurement]) -> Verdict:
    """Output equal to x @ w + b with the values the probe set."""

    def compare(got: dict[str, Any], want: dict[str, Any]) -> str | None:
        if allclose(got.get("out"), want.get("out"), rtol=1e-4, atol=1e-5):
            return None
        out, target = np.asarray(got.get("out")), np.asarray(want.get("out"))
        if out.shape != target.shape:
            return (
                f"the output has shape {shape_text(list(out.shape))}; it should be (batch, units) = "
                f"{shape_text(list(target.shape))}."
            )
        return (
            "the output is not x @ w + b computed with the layer's own kernel and bias (the check set them "
            "to known values first). Use the layer's own weights (e.g. self.w and self.b) in call, and add "
            "the bias."
        )

    return judge_configs(
        measured,
        expected,
        compare,
        passed="call computes x @ w + b with the layer's own weights.",
    )


CHECKS: tuple[Check, ...] = (
    Check(
        "q2_weights_at_construction",
        "q2",
        "kernel and bias exist right after construction",
        1.0,
        probes.probe_weights_at_construction,
        judge_weights_at_construction,
    ),
    Check(
        "q2_weights_tracked",
        "q2",
        "the weights are tracked by Keras",
        1.0,
        probes.probe_weights_tracked,
        judge_weights_tracked,
    ),
    Check("q2_call", "q2", "call computes x @ w + b", 1.0, probes.probe_call, judge_call),
)

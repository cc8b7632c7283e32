"""q4 judges (run in the grader only): compare the probes' measurements with the reference's.

The probes, their hidden inputs and the configurations are in :mod:`autograder.probes.q4`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks.base import Check, Verdict
from autograder.checks.comparing import allclose, judge_configs
from autograder.probes import q4 as probes
from autograder.probes.base import Measurement
from autograder.probes.measuring import shape_text


def judge_activity_identity(measured: Measurement, expected: list[Measurement]) -> Verdict:
    """Outputs equal to the inputs."""

    def compare(got: dict[str, Any], want: dict[str, Any]) -> str | None:
        if allclose(got.get("out"), want.get("out"), rtol=1e-6, atol=1e-7):
            return None
        out, target = np.asarray(got.get("out")), np.asarray(want.get("out"))
        if out.shape != target.shape:
            return (
                f"it returned shape {shape_text(list(out.shape))} for an input of shape "
                f"{shape_text(list(target.shape))}."
            )
        return (
            "it did not return its inputs unchanged: call must add the loss and return `inputs` as they are."
        )

    return judge_configs(measured, expected, compare, passed="ActivityL1 returns its inputs unchanged.")


def _same(a: Any, b: Any) -> bool:
    return (
        isinstance(a, list)
        and isinstance(b, list)
        and len(a) == len(b)
        and allclose(a, b, rtol=1e-5, atol=1e-6)
    )


def judge_activity_loss(measured: Measurement, expected: list[Measurement]) -> Verdict:
    """Exactly one loss, equal to the reference's, in every configuration."""

    def compare(got: dict[str, Any], want: dict[str, Any]) -> str | None:
        keys = ("losses", "losses_negated", "losses_doubled")
        if all(_same(got.get(k), want.get(k)) for k in keys):
            return None
        losses = got.get("losses")
        if not isinstance(losses, list) or not losses:
            return "layer.losses is empty after one call: add the loss in call with self.add_loss(...)."
        if len(losses) != 1:
            return (
                f"layer.losses holds {len(losses)} losses after one call; add exactly one, rate * "
                "sum(|inputs|)."
            )
        value = losses[0]
        negated = (got.get("losses_negated") or [None])[0]
        doubled = (got.get("losses_doubled") or [None])[0]
        if isinstance(negated, float) and value != 0 and abs(negated + value) <= 1e-5 * abs(value):
            return "the loss changes sign when the inputs do: take absolute values (L1) before summing."
        if isinstance(doubled, float) and value != 0 and abs(doubled / value - 4.0) < 1e-3:
            return (
                "the loss grows fourfold when the inputs double, like a squared (L2) penalty; use absolute "
                "values."
            )
        default = " (the default rate is 1e-2)" if "default" in str(want.get("label")) else ""
        return (
            "the loss is not rate * sum(|inputs|): sum the absolute values over all entries (not their "
            f"mean) and multiply by rate{default}."
        )

    return judge_configs(
        measured, expected, compare, passed="ActivityL1 adds one loss equal to rate * sum(|inputs|)."
    )


def judge_losses_reset(measured: Measurement, expected: list[Measurement]) -> Verdict:
    """One loss per forward pass, the loss of that pass alone, wherever the layer sits.

    The value itself is q4_activity_loss's business: here the second call must report what a
    fresh layer reports after one call on the same input, whatever the formula.
    """

    def compare(got: dict[str, Any], want: dict[str, Any]) -> str | None:
        first, second, fresh = (got.get(k) or [] for k in ("first", "second", "fresh"))
        if len(first) == len(second) == len(fresh) == 1 and _same(second, fresh):
            return None
        label = str(want.get("label"))
        model = "model.losses" in label or "outer.losses" in label
        holder = "model.losses" if "model.losses" in label else "outer.losses" if model else "layer.losses"
        if not first:
            if model:
                return (
                    f"{holder} is empty after a forward pass: add the loss with self.add_loss(...) so that "
                    "enclosing layers and models collect it."
                )
            return "layer.losses is empty after a call: add the loss with self.add_loss(...)."
        if len(first) != 1:
            return f"{holder} holds {len(first)} losses after one call; the layer should add exactly one."
        if len(second) != 1:
            return (
                f"{holder} holds {len(second)} losses after a second call: the losses belong to the last "
                "forward pass only. Add the loss with self.add_loss in call and keep no list or total of "
                "your own."
            )
        return (
            f"after a second call {holder} does not hold the loss of that call alone (a new layer called once "
            "on the same input reports a different loss): do not accumulate or remember losses across calls."
        )

    return judge_configs(
        measured,
        expected,
        compare,
        passed="One loss per forward pass, reset at every call, and collected by an enclosing model.",
    )


TOTAL_HINT = (
    "The total is loss_fn(y, model(x, training=True)) + sum(model.losses), from this step's forward pass, "
    "computed before the update is applied."
)


def judge_train_step_value(measured: Measurement, expected: list[Measurement]) -> Verdict:
    """A Python float equal to the reference's total loss."""

    def compare(got: dict[str, Any], want: dict[str, Any]) -> str | None:
        value_ok = isinstance(got.get("value"), (int, float)) and allclose(
            got.get("value"), want.get("value"), rtol=1e-4, atol=1e-6
        )
        type_ok = got.get("type") == want.get("type")
        if value_ok and type_ok:
            return None
        problems = []
        if not type_ok:
            kind = str(got.get("type"))
            article = "an" if kind[:1].lower() in "aeiou" else "a"
            problems.append(
                f"train_step returned {article} {kind}; return a Python float (e.g. float(total))."
            )
        if got.get("value") is None:
            problems.append("its return value is not one number.")
        elif not value_ok:
            problems.append("the returned total is wrong. " + TOTAL_HINT)
        return " ".join(problems)

    return judge_configs(
        measured,
        expected,
        compare,
        passed="train_step returns the step's total loss (data loss + model.losses) as a Python float.",
    )


def judge_train_step_update(measured: Measurement, expected: list[Measurement]) -> Verdict:
    """Weights after the step equal to the reference's."""

    def _all_close(a: Any, b: Any) -> bool:
        return (
            isinstance(a, list)
            and isinstance(b, list)
            and len(a) == len(b)
            and all(allclose(x, y, rtol=1e-4, atol=1e-5) for x, y in zip(a, b, strict=True))
        )

    def compare(got: dict[str, Any], want: dict[str, Any]) -> str | None:
        trainable_ok = _all_close(got.get("trainable"), want.get("trainable"))
        non_trainable_ok = _all_close(got.get("non_trainable"), want.get("non_trainable"))
        if trainable_ok and non_trainable_ok:
            return None
        if not got.get("changed"):
            return (
                "no weight changed: compute the gradients of the total inside a tf.GradientTape and apply "
                "them with optimizer.apply_gradients(zip(gradients, model.trainable_weights))."
            )
        if trainable_ok:
            return (
                "the trainable weights are right but the BatchNormalization moving statistics are not "
                "those of one training forward pass: call the model once, with training=True."
            )
        return (
            "the weights after one step differ from one SGD step on the total loss: the gradient must be "
            "that of the data loss plus sum(model.losses), from one forward pass with training=True."
        )

    return judge_configs(
        measured,
        expected,
        compare,
        passed="train_step applies one gradient step on the total loss, like the reference.",
    )


CHECKS: tuple[Check, ...] = (
    Check(
        "q4_activity_identity",
        "q4",
        "ActivityL1 returns its input unchanged",
        1.0,
        probes.probe_activity_identity,
        judge_activity_identity,
    ),
    Check(
        "q4_activity_loss",
        "q4",
        "ActivityL1's loss equals rate * sum(|x|)",
        1.0,
        probes.probe_activity_loss,
        judge_activity_loss,
    ),
    Check(
        "q4_losses_reset",
        "q4",
        "one loss per forward pass, collected by enclosing models",
        1.0,
        probes.probe_losses_reset,
        judge_losses_reset,
    ),
    Check(
        "q4_train_step_value",
        "q4",
        "train_step returns the total loss as a float",
        1.0,
        probes.probe_train_step_value,
        judge_train_step_value,
    ),
    Check(
        "q4_train_step_update",
        "q4",
        "train_step updates the weights like one SGD step",
        1.0,
        probes.probe_train_step_update,
        judge_train_step_update,
    ),
)

"""q3 judges (run in the grader only): compare the probes' measurements with the reference's.

The probes, their hidden inputs and the configurations are in :mod:`autograder.probes.q3`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks.base import Check, Verdict
from autograder.checks.comparing import allclose, judge_configs
from autograder.checks.source_rules import resnet_block_rule
from autograder.probes import q3 as probes
from autograder.probes.base import Measurement
from autograder.probes.measuring import shape_text

# --------------------------------------------------------------------------- judges

PROJECTION_HINT = (
    "When the input's channel count differs from out_channels, the shortcut needs a 1x1 convolution to "
    "out_channels before the addition."
)


def _error_hint(error: str, want: dict[str, Any]) -> str:
    lowered = error.lower()
    if "zero or negative" in lowered or "padding=valid" in lowered:
        return 'The 3x3 convolutions must keep the height and width: use padding="same".'
    if any(words in lowered for words in ("incompatible shapes", "dimensions must be equal", "broadcast")):
        if want.get("in_channels") != want.get("out_channels"):
            return PROJECTION_HINT
    return "Make sure the block works for any input shape and channel count, with training=True and False."


def judge_is_custom_layer(measured: Measurement, expected: list[Measurement]) -> Verdict:
    """A Layer subclass, not a Model, that computes something and owns no model."""
    if not isinstance(measured, dict):
        return Verdict(False, "This check could not read the measurement of your code.")
    if not measured.get("is_class"):
        return Verdict(
            False,
            "resnetBlock should be a class (class resnetBlock(tf.keras.layers.Layer): ...), not a function.",
        )
    if measured.get("is_model"):
        return Verdict(
            False,
            "resnetBlock subclasses keras.Model; the exercise asks for a custom layer: subclass "
            "tf.keras.layers.Layer.",
        )
    if not measured.get("is_layer"):
        return Verdict(False, "resnetBlock does not subclass tf.keras.layers.Layer.")
    instance = measured.get("instance")
    if not isinstance(instance, dict) or not instance.get("ok"):
        error = instance.get("error", "an error") if isinstance(instance, dict) else "an error"
        return Verdict(
            False, f"resnetBlock is a Layer subclass, but creating and calling resnetBlock(4) raised {error}."
        )
    models = instance.get("inner_models") or []
    if models:
        names = ", ".join(str(m) for m in models)
        return Verdict(
            False,
            f"resnetBlock owns a model ({names}) inside. Do not use the Sequential or functional API: keep "
            "the Conv2D and BatchNormalization layers as attributes and chain them in call.",
        )
    return Verdict(True, "resnetBlock is a custom Layer subclass built from layers, with no model inside.")


def judge_output_shapes(measured: Measurement, expected: list[Measurement]) -> Verdict:
    """(B, H, W, C_in) -> (B, H, W, out_channels) in every configuration."""

    def compare(got: dict[str, Any], want: dict[str, Any]) -> str | None:
        shapes, wanted = got.get("shapes"), want.get("shapes")
        if shapes == wanted:
            return None
        if not isinstance(shapes, list) or not isinstance(wanted, list) or len(shapes) != len(wanted):
            return "the block did not return one output per call."
        for shape, target in zip(shapes, wanted, strict=True):
            if shape == target:
                continue
            advice = []
            if not isinstance(shape, list) or len(shape) != 4:
                return f"it returned shape {shape_text(shape)}; it should be {shape_text(target)}."
            if shape[1:3] != target[1:3]:
                advice.append('height and width must not change: use padding="same" and stride 1')
            if shape[3] != target[3]:
                advice.append("the block must return out_channels channels")
            if shape[0] != target[0]:
                advice.append("the batch size must not change")
            return f"it returned shape {shape_text(shape)}, not {shape_text(target)}: {'; '.join(advice)}."
        return None

    return judge_configs(
        measured,
        expected,
        compare,
        passed=(
            "(B, H, W, C_in) maps to (B, H, W, out_channels) for several shapes, with training True and "
            "False."
        ),
        error_hint=_error_hint,
    )


def _count_text(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def judge_weight_counts(measured: Measurement, expected: list[Measurement]) -> Verdict:
    """Non-trainable shapes and trainable shapes (convolution biases aside) of one figure variant."""

    def compare(got: dict[str, Any], want: dict[str, Any]) -> str | None:
        stripped, target = got.get("without_conv_bias"), want.get("without_conv_bias")
        if stripped == target and got.get("non_trainable") == want.get("non_trainable"):
            return None
        got_nt, want_nt = got.get("non_trainable") or [], want.get("non_trainable") or []
        kernels_1x1 = [s for s in stripped or [] if isinstance(s, list) and len(s) == 4 and s[:2] == [1, 1]]
        if len(got_nt) == len(want_nt) + 2 and kernels_1x1:
            return ("it has a third BatchNormalization (its moving mean and variance are extra), next to the 1x1 "
                    "shortcut convolution: in this exercise the shortcut is the 1x1 convolution alone, with no "
                    "BatchNormalization of its own (see the question).")
        problems = []
        if got.get("non_trainable") != want.get("non_trainable"):
            n = len(got.get("non_trainable") or [])
            problems.append(
                f"it has {_count_text(n, 'non-trainable weight')}; the figure's block has "
                f"{len(want.get('non_trainable') or [])} (the moving mean and variance of each of its two "
                "BatchNormalization layers)"
            )
        if stripped != target:
            kernels = [s for s in stripped or [] if isinstance(s, list) and len(s) == 4]
            vectors = [s for s in stripped or [] if isinstance(s, list) and len(s) == 1]
            kernel_text = ", ".join(shape_text(s) for s in kernels) or "none"
            problems.append(
                f"its convolution kernels have shapes {kernel_text} and it has "
                f"{_count_text(len(vectors), 'other trainable vector')} (besides convolution biases); the "
                "figure's block has two 3x3 kernels, a 1x1 kernel when the channel counts differ, and the "
                "gamma and beta of two BatchNormalization layers"
            )
        return "; ".join(problems) + "."

    return judge_configs(
        measured,
        expected,
        compare,
        passed="Trainable and non-trainable weights match a block of the figure.",
        error_hint=_error_hint,
    )


def _numerics_judge(training: bool) -> Any:
    mode = (
        "In training mode BatchNormalization normalizes with the batch's own statistics: let training "
        "reach your BatchNormalization layers (pass training=training, or leave it out), never hard-code "
        "it."
        if training
        else "With training=False BatchNormalization must use its moving statistics: do not hard-code "
        "training=True."
    )

    def compare(got: dict[str, Any], want: dict[str, Any]) -> str | None:
        # Loose enough for BatchNormalization's epsilon (1e-3 vs 1e-5 moves outputs by ~1e-4), far
        # tighter than any layer-order mistake (those move outputs by 0.3 or more).
        if allclose(got.get("out"), want.get("out"), rtol=1e-3, atol=5e-4):
            return None
        out = np.asarray(got.get("out"), dtype=np.float32)
        target = np.asarray(want.get("out"), dtype=np.float32)
        if out.shape != target.shape:
            return f"it returned shape {shape_text(list(out.shape))}, not {shape_text(list(target.shape))}."
        if got.get("n_conv3") != 2:
            n = int(got.get("n_conv3", 0))
            return (
                f"it has {n} convolution{'' if n == 1 else 's'} with a 3x3 kernel; the figure's block has "
                "two."
            )
        if got.get("n_bn") != 2:
            return (
                f"it has {_count_text(int(got.get('n_bn', 0)), 'BatchNormalization layer')}; the figure's "
                "block has two, one after each 3x3 convolution."
            )
        if out.size and float(out.min()) < 0:
            return (
                "the output has negative values: the block ends with a ReLU applied after adding the "
                "shortcut."
            )
        return (
            "the output differs from the figure's block given the same weights (the check sets every "
            "convolution and BatchNormalization to known values by role). Check the order 3x3 conv -> BN "
            "-> ReLU -> 3x3 conv "
            "-> BN, then add the shortcut (the input, or its 1x1 convolution), then ReLU. " + mode
        )

    def judge(measured: Measurement, expected: list[Measurement]) -> Verdict:
        what = "training=True (batch statistics)" if training else "training=False (moving statistics)"
        return judge_configs(
            measured,
            expected,
            compare,
            passed=f"The block computes the figure's residual block with {what}.",
            error_hint=_error_hint,
        )

    return judge


CHECKS: tuple[Check, ...] = (
    Check(
        "q3_is_custom_layer",
        "q3",
        "resnetBlock is a custom Layer with no model inside",
        1.0,
        probes.probe_is_custom_layer,
        judge_is_custom_layer,
        source_rule=resnet_block_rule,
    ),
    Check(
        "q3_output_shapes",
        "q3",
        "output shapes for several inputs, training True and False",
        1.0,
        probes.probe_output_shapes,
        judge_output_shapes,
    ),
    Check(
        "q3_weight_counts",
        "q3",
        "trainable and non-trainable weights match the figure",
        1.0,
        probes.probe_weight_counts,
        judge_weight_counts,
    ),
    Check(
        "q3_numerics_inference",
        "q3",
        "outputs match the figure's block (training=False)",
        1.0,
        probes.probe_numerics_inference,
        _numerics_judge(training=False),
    ),
    Check(
        "q3_numerics_training",
        "q3",
        "outputs match the figure's block (training=True)",
        1.0,
        probes.probe_numerics_training,
        _numerics_judge(training=True),
    ),
)

"""q1 judges (run in the grader only): compare the probes' measurements with the reference's.

The probes, their hidden inputs and the configurations are in :mod:`autograder.probes.q1`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks.base import Check, Verdict
from autograder.checks.comparing import allclose, judge_configs
from autograder.probes import q1 as probes
from autograder.probes.base import Measurement
from autograder.probes.measuring import shape_of, shape_text


def _shift_error_hint(error: str, want: dict[str, Any]) -> str:
    if "pixels=0" in str(want.get("label", "")):
        return (
            "With pixels=0 the result is the input itself (as float32); note that x[:, :, :-0] is empty in "
            "Python."
        )
    return "Check that your function accepts NumPy arrays and tensors of any 4-D shape."


def judge_shift_shape_dtype(measured: Measurement, expected: list[Measurement]) -> Verdict:
    """A float32 tf.Tensor of the input's shape, for every input kind."""

    def compare(got: dict[str, Any], want: dict[str, Any]) -> str | None:
        if got.get("is_tensor") is not True:
            kind = str(got.get("type"))
            article = "an" if kind[:1].lower() in "aeiou" else "a"
            return (
                f"it returned {article} {kind}, not a tf.Tensor. Build the result with TensorFlow ops "
                "(or convert it with tf.convert_to_tensor)."
            )
        if got.get("dtype") != want.get("dtype"):
            return (
                f"the result has dtype {got.get('dtype')}; it should always be float32 (tf.cast(..., "
                "tf.float32))."
            )
        if got.get("shape") != want.get("shape"):
            return (
                f"the result has shape {shape_text(got.get('shape'))}; a shift keeps the input's shape "
                f"{shape_text(want.get('shape'))}."
            )
        return None

    return judge_configs(
        measured,
        expected,
        compare,
        passed="shift_right returns a float32 tf.Tensor of the input's shape for NumPy and tensor inputs.",
        error_hint=_shift_error_hint,
    )


def _shift_width(x: np.ndarray, pixels: int, axis: int = 2) -> np.ndarray:
    out = np.zeros_like(x)
    size = x.shape[axis]
    if pixels >= size:
        return out
    src = [slice(None)] * 4
    dst = [slice(None)] * 4
    src[axis] = slice(0, size - pixels)
    dst[axis] = slice(pixels, size)
    out[tuple(dst)] = x[tuple(src)]
    return out


def _shift_diagnosis(got: np.ndarray, base: np.ndarray, pixels: int) -> str | None:
    """Name a common mistake when the output is a known transform of the base input."""
    same = lambda candidate: allclose(got, candidate, rtol=1e-6, atol=1e-7)  # noqa: E731
    if pixels > 0 and same(base):
        return "the result equals the input: nothing was shifted."
    if same(_shift_width(base, pixels + 1)):
        return "the result is shifted one column too far (pixels + 1); check the slice bounds."
    if pixels >= 1 and same(_shift_width(base, pixels - 1)):
        return "the result is shifted one column too little (pixels - 1); check the slice bounds."
    if pixels > 0 and same(_shift_width(base, pixels, axis=1)):
        return "the result is shifted along the height (axis 1); in NHWC images the width is axis 2."
    if pixels > 0 and same(np.flip(_shift_width(np.flip(base, axis=2), pixels), axis=2)):
        return "the result is shifted to the left; shifting right puts the zeros in the first columns."
    if pixels > 0 and same(np.roll(base, pixels, axis=2)):
        return (
            "the last columns wrapped around to the front; fill the first `pixels` columns with zeros "
            "instead."
        )
    return None


def judge_shift_values(measured: Measurement, expected: list[Measurement]) -> Verdict:
    """Same values as the reference; names the mistake when the output is a known wrong shift."""
    base = None
    for reference in expected:
        configs = reference.get("configs") if isinstance(reference, dict) else None
        if configs and configs[0].get("ok"):
            base = np.asarray(configs[0]["out"], dtype=np.float32)
            break

    def compare(got: dict[str, Any], want: dict[str, Any]) -> str | None:
        if allclose(got.get("out"), want.get("out"), rtol=1e-6, atol=1e-6):
            return None
        out = np.asarray(got.get("out"), dtype=np.float32)
        pixels = int(want.get("pixels", 1))
        if list(out.shape) != shape_of(np.asarray(want.get("out"))):
            extra = (
                " With pixels=0 the result is the input itself; x[:, :, :-0] is empty in Python."
                if pixels == 0
                else ""
            )
            return f"the result has shape {shape_text(list(out.shape))}, not the input's shape.{extra}"
        if base is not None and out.shape == base.shape:
            diagnosis = _shift_diagnosis(out, base, pixels)
            if diagnosis:
                return diagnosis
        if pixels == 0:
            return "with pixels=0 the result must equal the input."
        return (
            "the values are wrong: along the width (axis 2) the first `pixels` columns must be zeros and "
            "column j must hold the input's column j - pixels."
        )

    return judge_configs(
        measured,
        expected,
        compare,
        passed="shift_right shifts right along the width with zero fill for every shape and shift tried.",
        error_hint=_shift_error_hint,
    )


SHIFT_FIRST = (
    "your shift_right gives wrong values for this input, and this function relies on it: fix shift_right "
    "first (see the shift checks)."
)


def _shift_matches(got: dict[str, Any], want: dict[str, Any]) -> bool:
    """Whether the student's shift_right agreed with the reference on this configuration's input."""
    return want.get("shifted") is None or allclose(
        got.get("shifted"), want.get("shifted"), rtol=1e-6, atol=1e-6
    )


def judge_pooling_change(measured: Measurement, expected: list[Measurement]) -> Verdict:
    """Same value as the reference in every configuration (relative tolerance 1e-4)."""

    def compare(got: dict[str, Any], want: dict[str, Any]) -> str | None:
        value, target = got.get("value"), want.get("value")
        if allclose(value, target, rtol=1e-4, atol=1e-6):
            return None
        if not isinstance(value, (int, float)):
            return "it did not return a number."
        if value < 0:
            return (
                "it returned a negative number: take the absolute value of each difference before averaging."
            )
        if value == 0:
            return "it returned 0: compare pool(x) with pool(shift_right(x, pixels)), not with itself."
        if not _shift_matches(got, want):
            return SHIFT_FIRST
        direction = (
            "too large (a max or a sum instead of the mean?)"
            if value > target
            else "too small (do signed differences cancel out?)"
        )
        return (
            f"the value is {direction}. pooling_change is the mean, over all pooled outputs, of |pool(x) - "
            "pool(shift_right(x, pixels))|."
        )

    return judge_configs(
        measured,
        expected,
        compare,
        passed=(
            "pooling_change matches the mean absolute change for max and average pooling of several sizes, "
            "strides and shifts."
        ),
    )


def judge_fraction_unchanged(measured: Measurement, expected: list[Measurement]) -> Verdict:
    """Same fraction as the reference in every configuration."""

    def compare(got: dict[str, Any], want: dict[str, Any]) -> str | None:
        value, target = got.get("value"), want.get("value")
        if allclose(value, target, rtol=1e-6, atol=1e-6):
            return None
        if not isinstance(value, (int, float)):
            return "it did not return a number."
        if not 0.0 <= value <= 1.0:
            return "it returned a number outside [0, 1]; a fraction of outputs must lie in [0, 1]."
        if value == 1.0 and isinstance(target, (int, float)) and target < 1.0:
            return (
                "it says every output is unchanged: compare pool(x) with pool(shift_right(x, pixels)), "
                "not with itself."
            )
        if isinstance(target, (int, float)) and 0 < target < 1 and abs(value - (1.0 - target)) < 1e-6:
            return "it seems to count the outputs that changed; count those left exactly unchanged."
        if not _shift_matches(got, want):
            return SHIFT_FIRST
        return (
            "the fraction is wrong: compare pool(x) and pool(shift_right(x, pixels)) element by element "
            "(exact equality) and divide the number of equal outputs by the number of outputs."
        )

    return judge_configs(
        measured,
        expected,
        compare,
        passed="fraction_unchanged matches for max and average pooling of several sizes, strides and shifts.",
    )


def _finding_values(batch: Any) -> dict[str, float] | str:
    """The three numbers of one batch, or what went wrong measuring them."""
    values = {}
    for key in ("fraction_max", "fraction_avg", "change_avg"):
        entry = batch.get(key) if isinstance(batch, dict) else None
        name = "pooling_change" if key.startswith("change") else "fraction_unchanged"
        if not isinstance(entry, dict) or not entry.get("ok") or not isinstance(entry.get("value"), (int, float)):
            error = entry.get("error", "no number") if isinstance(entry, dict) else "no number"
            return f"On a hidden batch of random images, your {name} with 2x2 pooling failed: {error}."
        values[key] = float(entry["value"])
    return values


def judge_finding(measured: Measurement, expected: list[Measurement]) -> Verdict:
    """Over three random batches, max pooling keeps more outputs than average pooling, which changes;
    and the numbers come from measuring (they differ between batches, as the reference's do)."""
    batches = measured.get("batches") if isinstance(measured, dict) else None
    if not isinstance(batches, list) or not batches:
        return Verdict(False, "This check could not read the measurement of your code.")
    found = [_finding_values(batch) for batch in batches]
    problem = next((f for f in found if isinstance(f, str)), None)
    if problem:
        return Verdict(False, problem)
    values: list[dict[str, float]] = found  # type: ignore[assignment]
    if any(v["change_avg"] <= 0 for v in values):
        return Verdict(
            False,
            "On hidden batches of random images shifted one pixel, your pooling_change says 2x2 average "
            "pooling does not change at all; every average that sees a shifted column changes.",
        )
    if not sum(v["fraction_max"] for v in values) > sum(v["fraction_avg"] for v in values):
        return Verdict(
            False,
            "On hidden batches of random images shifted one pixel, your fraction_unchanged does not find "
            "more unchanged outputs for 2x2 max pooling than for 2x2 average pooling. A window's maximum "
            "often survives a one-pixel shift; its average almost never does.",
        )
    if all(values[0] == v for v in values[1:]):
        return Verdict(
            False,
            "Your pooling_change and fraction_unchanged give exactly the same numbers on three different "
            "batches of random images: the finding has to come from measuring each input (pool it, shift "
            "it, pool again, compare), not from fixed numbers.",
        )
    return Verdict(
        True,
        "With your functions, a one-pixel shift leaves more 2x2 max-pooled outputs unchanged than "
        "average-pooled ones, and changes the average-pooled outputs: max pooling is the more "
        "shift-tolerant of the two.",
    )


CHECKS: tuple[Check, ...] = (
    Check(
        "q1_shift_shape_dtype",
        "q1",
        "shift_right returns a float32 tensor of the same shape",
        1.0,
        probes.probe_shift_shape_dtype,
        judge_shift_shape_dtype,
    ),
    Check(
        "q1_shift_values",
        "q1",
        "shift_right values for several shapes and shifts",
        1.0,
        probes.probe_shift_values,
        judge_shift_values,
    ),
    Check(
        "q1_pooling_change",
        "q1",
        "pooling_change for max and average pooling",
        1.0,
        probes.probe_pooling_change,
        judge_pooling_change,
    ),
    Check(
        "q1_fraction_unchanged",
        "q1",
        "fraction_unchanged for max and average pooling",
        1.0,
        probes.probe_fraction_unchanged,
        judge_fraction_unchanged,
    ),
    Check(
        "q1_finding",
        "q1",
        "average pooling changes more outputs than max pooling",
        1.0,
        probes.probe_finding,
        judge_finding,
    ),
)

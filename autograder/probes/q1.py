"""q1 probes (run in the student's process, measure only): ``shift_right``, ``pooling_change`` and ``fraction_unchanged``.

Inputs are float32 values drawn from fixed seeds, so the exact-equality question of
``fraction_unchanged`` has a clear answer: max pooling keeps many outputs when a window's
maximum stays inside it, average pooling almost never keeps one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.probes.base import Measurement, Namespace
from autograder.probes.measuring import (
    callable_answer,
    measure,
    not_none,
    seeded_integers,
    seeded_uniform,
    shape_text,
    to_float32,
    to_scalar,
)

# --------------------------------------------------------------------------- hidden inputs

# (seed, kind, shape, pixels); kind is how the input is handed to shift_right.
SHAPE_DTYPE_CASES: tuple[tuple[int, str, tuple[int, ...], int], ...] = (
    (1001, "numpy float64", (2, 3, 5, 2), 1),
    (1002, "numpy int64", (1, 4, 4, 1), 1),
    (1003, "tf.Tensor float32", (3, 4, 6, 3), 2),
    (1004, "numpy float32", (2, 5, 3, 4), 0),
)

SHIFT_BASE_SEED, SHIFT_BASE_SHAPE = 1101, (2, 4, 6, 3)
# (seed, shape, pixels or None for the default); the first case is the base input at pixels=0.
SHIFT_VALUE_CASES: tuple[tuple[int, tuple[int, ...], int | None], ...] = (
    (SHIFT_BASE_SEED, SHIFT_BASE_SHAPE, 0),
    (SHIFT_BASE_SEED, SHIFT_BASE_SHAPE, 1),
    (SHIFT_BASE_SEED, SHIFT_BASE_SHAPE, 2),
    (SHIFT_BASE_SEED, SHIFT_BASE_SHAPE, None),
    (1102, (1, 5, 4, 2), 3),
    (1103, (3, 3, 7, 1), 1),
)

# Pool layers as (class name, pool_size, strides, padding).
PoolSpec = tuple[str, Any, Any, str]
POOL_INPUTS: dict[str, tuple[int, tuple[int, ...]]] = {
    "A": (1201, (2, 6, 8, 3)),
    "B": (1202, (1, 5, 7, 2)),
    "C": (1203, (2, 6, 8, 2)),  # rows 0 and 1 are constant along the width
}
CHANGE_CASES: tuple[tuple[PoolSpec, int | None, str], ...] = (
    (("MaxPooling2D", 2, None, "valid"), 1, "A"),
    (("AveragePooling2D", 2, None, "valid"), 1, "A"),
    (("MaxPooling2D", 3, 2, "valid"), 2, "A"),
    (("AveragePooling2D", (2, 3), 1, "valid"), 1, "A"),
    (("MaxPooling2D", 2, None, "same"), 3, "B"),
    (("AveragePooling2D", 2, None, "valid"), None, "B"),
)
FRACTION_CASES: tuple[tuple[PoolSpec, int | None, str], ...] = (
    (("MaxPooling2D", 2, None, "valid"), 1, "C"),
    (("AveragePooling2D", 2, None, "valid"), 1, "C"),
    (("MaxPooling2D", 3, 2, "valid"), 2, "A"),
    (("AveragePooling2D", 2, 1, "valid"), 1, "C"),
    (("MaxPooling2D", 2, None, "same"), 3, "B"),
    (("AveragePooling2D", 2, None, "valid"), None, "C"),
)
FINDING_SEEDS, FINDING_SHAPE = (1301, 1302, 1303), (2, 8, 8, 1)
"""Three random batches: measured numbers vary from one to the next; fixed numbers do not."""


def _shape_dtype_input(seed: int, kind: str, shape: tuple[int, ...]) -> np.ndarray:
    if kind == "numpy int64":
        return seeded_integers(seed, shape, 9)
    values = seeded_uniform(seed, shape, 0.05, 1.0)
    return values.astype(np.float64) if kind == "numpy float64" else values


def _pool_input(name: str) -> np.ndarray:
    seed, shape = POOL_INPUTS[name]
    x = seeded_uniform(seed, shape, 0.0, 1.0)
    if name == "C":
        x[:, 0:2, :, :] = x[:, 0:2, :1, :]
    return x


def hidden_arrays() -> dict[str, list[np.ndarray]]:
    """Every hidden input the q1 probes use, by check id (for leak tests)."""
    return {
        "q1_shift_shape_dtype": [_shape_dtype_input(s, k, shape) for s, k, shape, _ in SHAPE_DTYPE_CASES],
        "q1_shift_values": [seeded_uniform(s, shape, 0.05, 1.0) for s, shape, _ in SHIFT_VALUE_CASES],
        "q1_pooling_change": [_pool_input(n) for n in sorted({c[2] for c in CHANGE_CASES})],
        "q1_fraction_unchanged": [_pool_input(n) for n in sorted({c[2] for c in FRACTION_CASES})],
        "q1_finding": [seeded_uniform(seed, FINDING_SHAPE, 0.0, 1.0) for seed in FINDING_SEEDS],
    }


def _call_shift(shift_right: Any, x: Any, pixels: int | None) -> Any:
    result = shift_right(x) if pixels is None else shift_right(x, pixels)
    return not_none(result, "shift_right")


def _shift_label(shape: tuple[int, ...], pixels: int | None, kind: str = "") -> str:
    what = f"x {kind + ' ' if kind else ''}of shape {shape_text(shape)}"
    if pixels is None:
        return f"shift_right(x) with the default pixels and {what}"
    return f"shift_right(x, pixels={pixels}) with {what}"


def probe_shift_shape_dtype(ns: Namespace) -> Measurement:
    """Type, dtype and shape of shift_right's result for NumPy (float64, int64, float32) and tensor inputs."""
    import tensorflow as tf

    shift_right = callable_answer(ns, "shift_right")
    configs = []
    for seed, kind, shape, pixels in SHAPE_DTYPE_CASES:
        x = _shape_dtype_input(seed, kind, shape)

        def run(x: np.ndarray = x, kind: str = kind, pixels: int = pixels) -> dict[str, Any]:
            arg = tf.constant(x) if kind.startswith("tf.") else x
            result = _call_shift(shift_right, arg, pixels)
            dtype = getattr(result, "dtype", None)
            dtype_name = (
                str(getattr(dtype, "name", dtype)) if dtype is not None else np.asarray(result).dtype.name
            )
            return {
                "is_tensor": bool(tf.is_tensor(result)),
                "type": type(result).__name__,
                "dtype": dtype_name,
                "shape": [int(d) for d in np.asarray(result).shape],
            }

        configs.append(measure(_shift_label(shape, pixels, f"({kind})"), run))
    return {"configs": configs}


def probe_shift_values(ns: Namespace) -> Measurement:
    """shift_right's outputs for several shapes and shifts; the first case is the base input at pixels=0."""
    shift_right = callable_answer(ns, "shift_right")
    configs = []
    for seed, shape, pixels in SHIFT_VALUE_CASES:
        x = seeded_uniform(seed, shape, 0.05, 1.0)

        def run(x: np.ndarray = x, pixels: int | None = pixels) -> dict[str, Any]:
            out = to_float32(_call_shift(shift_right, x, pixels), "shift_right")
            return {"out": out, "pixels": 1 if pixels is None else pixels}

        configs.append(measure(_shift_label(shape, pixels), run))
    return {"configs": configs}


def _make_pool(spec: PoolSpec) -> Any:
    import keras

    name, pool_size, strides, padding = spec
    layer_cls = getattr(keras.layers, name)
    return layer_cls(pool_size=pool_size, strides=strides, padding=padding)


def _pool_label(function: str, spec: PoolSpec, pixels: int | None, shape: tuple[int, ...]) -> str:
    name, pool_size, strides, padding = spec
    args = [f"pool_size={pool_size}"]
    if strides is not None:
        args.append(f"strides={strides}")
    if padding != "valid":
        args.append(f'padding="{padding}"')
    pixel_text = "the default pixels" if pixels is None else f"pixels={pixels}"
    return f"{function} with {name}({', '.join(args)}), {pixel_text} and x of shape {shape_text(shape)}"


def _probe_pool_function(
    ns: Namespace, function: str, cases: tuple[tuple[PoolSpec, int | None, str], ...]
) -> Measurement:
    fn = callable_answer(ns, function)
    shift_right = ns.get("shift_right")
    configs = []
    for spec, pixels, input_name in cases:
        x = _pool_input(input_name)

        def run(x: np.ndarray = x, spec: PoolSpec = spec, pixels: int | None = pixels) -> dict[str, Any]:
            pool = _make_pool(spec)
            result = fn(pool, x) if pixels is None else fn(pool, x, pixels)
            value = to_scalar(result, function)
            try:  # for the message only: is the shift these functions rely on right?
                shifted: np.ndarray | None = to_float32(_call_shift(shift_right, x, pixels), "shift_right")
            except Exception:
                shifted = None
            return {"value": value, "shifted": shifted}

        configs.append(measure(_pool_label(function, spec, pixels, POOL_INPUTS[input_name][1]), run))
    return {"configs": configs}


def probe_pooling_change(ns: Namespace) -> Measurement:
    """pooling_change for max/average pool layers of several sizes, strides, paddings and shifts."""
    return _probe_pool_function(ns, "pooling_change", CHANGE_CASES)


def probe_fraction_unchanged(ns: Namespace) -> Measurement:
    """fraction_unchanged for max/average pool layers, on inputs where some averages survive a shift."""
    return _probe_pool_function(ns, "fraction_unchanged", FRACTION_CASES)


def probe_finding(ns: Namespace) -> Measurement:
    """The student's own numbers for 2x2 max vs average pooling on three batches of random images."""
    change = callable_answer(ns, "pooling_change")
    fraction = callable_answer(ns, "fraction_unchanged")
    batches = []
    for seed in FINDING_SEEDS:
        x = seeded_uniform(seed, FINDING_SHAPE, 0.0, 1.0)
        result: dict[str, Any] = {}
        for key, fn, spec in (
            ("fraction_max", fraction, ("MaxPooling2D", 2, None, "valid")),
            ("fraction_avg", fraction, ("AveragePooling2D", 2, None, "valid")),
            ("change_avg", change, ("AveragePooling2D", 2, None, "valid")),
        ):
            name = "fraction_unchanged" if fn is fraction else "pooling_change"
            result[key] = measure(
                name, lambda fn=fn, spec=spec, name=name, x=x: {"value": to_scalar(fn(_make_pool(spec), x, 1), name)}
            )
        batches.append(result)
    return {"batches": batches}

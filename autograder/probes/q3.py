"""q3 probes (run in the student's process, measure only): ``resnetBlock``, a residual block written as a custom layer.

Both blocks of the figure are accepted (identity shortcut when the channel counts match, or
always a 1x1 projection), with or without convolution biases. The numeric checks make every
accepted variant compute the same numbers by giving the block's layers known values *by
role*: the 3x3 convolution reading the input channels, the 3x3 convolution reading
``out_channels`` channels (both get the same values when the counts match, so their order
does not matter), the 1x1 projection (the identity matrix when the counts match, which makes
"always a 1x1" equal to "identity"), zero convolution biases, and the same values in every
BatchNormalization.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from autograder.probes.base import Measurement, Namespace
from autograder.probes.measuring import (
    ProbeConfigError,
    assign,
    callable_answer,
    forget,
    measure,
    not_none,
    reseed,
    seeded_normal,
    seeded_uniform,
    shape_of,
    shape_text,
    shared,
    sorted_shapes,
    to_float32,
)

KERAS_SEED = 3000
"""Set before constructing a block, so anything the checks do not assign is reproducible."""

# Every check measures blocks of the same three configurations (c_in -> out_channels): 3 -> 6 and
# 5 -> 2 (a projection shortcut), 4 -> 4 (the identity). A configuration is built once per
# submission and shared (see ``_on_block``): each new block costs a dozen variables.
CUSTOM_LAYER_CASE = ((2, 5, 5, 3), 6)
CUSTOM_LAYER_SEED = 3001
# Each case: out_channels and the calls made on one block: ((batch, height, width, c_in), training).
OUTPUT_CASES: tuple[tuple[int, tuple[tuple[tuple[int, int, int, int], bool], ...]], ...] = (
    (6, (((2, 5, 5, 3), False),)),
    (6, (((2, 5, 5, 3), True),)),
    (4, (((1, 4, 6, 4), True),)),
    (2, (((3, 3, 4, 5), False),)),
    (4, (((2, 4, 4, 4), True), ((3, 6, 3, 4), False))),
)
OUTPUT_SEED = 3101
WEIGHT_CASES: tuple[tuple[int, int], ...] = ((3, 6), (4, 4), (5, 2))  # (c_in, out_channels)
WEIGHT_SEED = 3201
# (input shape, out_channels, seed)
NUMERIC_CASES: tuple[tuple[tuple[int, int, int, int], int, int], ...] = (
    ((2, 5, 5, 3), 6, 3301),
    ((2, 4, 5, 4), 4, 3302),
    ((3, 4, 4, 5), 2, 3303),
)


CONV_GAIN = 6.0
"""3x3 kernels are this many times He-scaled, so the variances BatchNormalization divides by
(batch or moving, see ``_bn_arrays``) are around 20-40 and its ``epsilon`` setting does not matter."""


def _numeric_arrays(shape: tuple[int, int, int, int], out: int, seed: int) -> dict[str, np.ndarray]:
    """The input and the by-role weight values of one numeric configuration."""
    c_in = shape[-1]
    arrays = {
        "x": seeded_uniform(seed, shape),
        "conv_in": seeded_normal(seed + 10, (3, 3, c_in, out), CONV_GAIN * np.sqrt(2.0 / (9 * c_in))),
        "conv_out": seeded_normal(seed + 11, (3, 3, out, out), CONV_GAIN * np.sqrt(2.0 / (9 * out))),
        "projection": seeded_normal(seed + 12, (1, 1, c_in, out), np.sqrt(1.0 / c_in)),
    }
    if c_in == out:
        arrays["conv_out"] = arrays["conv_in"]
        arrays["projection"] = np.eye(out, dtype=np.float32).reshape(1, 1, out, out)
    return arrays


def _bn_arrays(seed: int, channels: int) -> dict[str, np.ndarray]:
    """Values for every BatchNormalization with ``channels`` channels (variance positive)."""
    return {
        "gamma": seeded_uniform(seed + 20 + channels, (channels,), 0.5, 1.5),
        "beta": seeded_uniform(seed + 40 + channels, (channels,), -0.3, 0.3),
        "moving_mean": seeded_uniform(seed + 60 + channels, (channels,), -1.0, 1.0),
        "moving_variance": seeded_uniform(seed + 80 + channels, (channels,), 20.0, 40.0),
    }


def hidden_arrays() -> dict[str, list[np.ndarray]]:
    """Every hidden array the q3 probes use, by check id (for leak tests)."""
    numeric = []
    for shape, out, seed in NUMERIC_CASES:
        numeric.extend(_numeric_arrays(shape, out, seed).values())
        for channels in sorted({shape[-1], out}):
            numeric.extend(_bn_arrays(seed, channels).values())
    return {
        "q3_is_custom_layer": [seeded_uniform(CUSTOM_LAYER_SEED, CUSTOM_LAYER_CASE[0])],
        "q3_output_shapes": [
            seeded_uniform(OUTPUT_SEED + i, s) for i, (_, calls) in enumerate(OUTPUT_CASES) for s, _ in calls
        ],
        "q3_weight_counts": [seeded_uniform(WEIGHT_SEED, (2, 5, 5, c)) for c, _ in WEIGHT_CASES],
        "q3_numerics_inference": numeric,
        "q3_numerics_training": numeric,
    }


def _new_block(cls: Any, out: int) -> Any:
    reseed(KERAS_SEED)
    return cls(out)


def _on_block(cls: Any, c_in: int, out: int, fn: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """``fn(block)`` on the ``resnetBlock(out)`` for ``c_in`` input channels that the checks share.

    Every check that needs a block of one configuration measures the same one (a Keras layer
    is called many times in its life), so each configuration is built once per submission.
    A measurement that raised drops the block: the next check gets a fresh one.
    """
    key = ("block", c_in, out)
    block = shared(cls, key, lambda: _new_block(cls, out))
    try:
        return fn(block)
    except BaseException:
        forget(cls, key)
        raise


def _sublayers(block: Any) -> list[Any]:
    """Every layer inside ``block`` (recursively), without ``block`` itself."""
    flatten = getattr(block, "_flatten_layers", None)
    if flatten is None:
        return []
    return list(flatten(include_self=False, recursive=True))


_GET = object.__getattribute__  # the student's class may override __getattribute__ and _flatten_layers
_CONTAINERS = (list, tuple, set, frozenset)
MAX_OWNED = 5000


def _owned_models(block: Any) -> set[str]:
    """Class names of the Keras models reachable from ``block``'s attributes.

    Walks instance dictionaries and containers directly, descending into layers only, so a
    class that hides a ``Sequential`` from Keras' tracking (an overridden ``_flatten_layers``,
    a model kept in a plain dict or list) is still found.
    """
    import keras

    found: set[str] = set()
    seen: set[int] = {id(block)}
    stack: list[Any] = [block]
    while stack and len(seen) < MAX_OWNED:
        obj = stack.pop()
        try:
            attrs = _GET(obj, "__dict__")
        except Exception:
            attrs = {}
        children = list(attrs.values()) if isinstance(attrs, dict) else []
        if isinstance(obj, _CONTAINERS):
            children += list(obj)
        elif isinstance(obj, dict):
            children += list(obj.values())
        for child in children:
            if id(child) in seen:
                continue
            seen.add(id(child))
            if isinstance(child, keras.Model):
                found.add(type(child).__name__)
            if isinstance(child, (keras.layers.Layer, dict, *_CONTAINERS)):
                stack.append(child)
    return found


def _call(block: Any, x: np.ndarray, training: bool) -> np.ndarray:
    return to_float32(block(x, training=training), "resnetBlock")


def _label(shape: tuple[int, ...], out: int, training: bool | None = None) -> str:
    text = f"resnetBlock({out}) on an input of shape {shape_text(shape)} ({shape[-1]} channels)"
    return text if training is None else f"{text}, training={training}"


def probe_is_custom_layer(ns: Namespace) -> Measurement:
    """Whether resnetBlock is a Layer class, not a Model, and which models (if any) it owns."""
    import keras

    cls = callable_answer(ns, "resnetBlock")
    is_class = isinstance(cls, type)
    shape, out = CUSTOM_LAYER_CASE

    def run(block: Any) -> dict[str, Any]:  # the first q3 check: the shared block is new here
        models = _owned_models(block)
        try:  # sublayers made on the first call count too; a crash is the other checks' business
            result = block(seeded_uniform(CUSTOM_LAYER_SEED, shape), training=False)
        except Exception:
            result = NotImplemented
        # A layer must compute something: the untouched stub (call returning None) earns nothing.
        not_none(result, "resnetBlock")
        models |= _owned_models(block)
        return {"instance_type": type(block).__name__, "inner_models": sorted(models)}

    return {
        "is_class": is_class,
        "is_layer": bool(is_class and issubclass(cls, keras.layers.Layer)),
        "is_model": bool(is_class and issubclass(cls, keras.Model)),
        "instance": measure(f"resnetBlock({out})", partial(_on_block, cls, shape[-1], out, run)),
    }


def probe_output_shapes(ns: Namespace) -> Measurement:
    """Output shapes for several inputs and out_channels, training True and False, two batch sizes."""
    cls = callable_answer(ns, "resnetBlock")
    configs = []
    for index, (out, calls) in enumerate(OUTPUT_CASES):

        def run(block: Any, index: int = index, out: int = out, calls: Any = calls) -> dict[str, Any]:
            shapes = []
            for shape, training in calls:
                y = _call(block, seeded_uniform(OUTPUT_SEED + index, shape), training)
                shapes.append([int(d) for d in y.shape])
            return {"shapes": shapes, "in_channels": calls[0][0][-1], "out_channels": out}

        shape, training = calls[0]
        label = _label(shape, out, training)
        if len(calls) > 1:
            label += f", then on an input of shape {shape_text(calls[1][0])}, training={calls[1][1]}"
        configs.append(measure(label, partial(_on_block, cls, shape[-1], out, run)))
    return {"configs": configs}


def probe_weight_counts(ns: Namespace) -> Measurement:
    """Sorted shapes of trainable and non-trainable weights once the block has been called."""
    import keras

    cls = callable_answer(ns, "resnetBlock")
    configs = []
    for c_in, out in WEIGHT_CASES:
        shape = (2, 5, 5, c_in)

        def run(block: Any, shape: tuple[int, ...] = shape, out: int = out) -> dict[str, Any]:
            _call(block, seeded_uniform(WEIGHT_SEED, shape), False)
            biases = [
                layer.bias
                for layer in _sublayers(block)
                if isinstance(layer, keras.layers.Conv2D) and getattr(layer, "bias", None) is not None
            ]
            trainable = list(block.trainable_weights)
            return {
                "trainable": sorted_shapes(trainable),
                "non_trainable": sorted_shapes(block.non_trainable_weights),
                "without_conv_bias": sorted_shapes(w for w in trainable if not any(w is b for b in biases)),
                "in_channels": shape[-1],
                "out_channels": out,
            }

        configs.append(measure(_label(shape, out), partial(_on_block, cls, c_in, out, run)))
    return {"configs": configs}


def _assign_by_role(block: Any, c_in: int, out: int, seed: int) -> dict[str, int]:
    """Give the block's convolutions and BatchNormalizations known values; count them by kind."""
    import keras

    arrays = _numeric_arrays((1, 1, 1, c_in), out, seed)
    layers = [
        layer for layer in _sublayers(block) if getattr(layer, "built", False)
    ]  # unused ones never build
    convs = [layer for layer in layers if isinstance(layer, keras.layers.Conv2D)]
    bns = [layer for layer in layers if isinstance(layer, keras.layers.BatchNormalization)]
    if not convs:
        raise ProbeConfigError(
            "no keras.layers.Conv2D was found inside the block (the check looks at the layers it owns), so "
            "its numbers could not be compared; build it from Conv2D and BatchNormalization layers."
        )
    counts = {"n_conv3": 0, "n_conv1": 0, "n_bn": len(bns)}
    for conv in convs:
        shape = tuple(shape_of(conv.kernel))
        if shape[:2] == (3, 3) and shape[3] == out and shape[2] in (c_in, out):
            value = arrays["conv_in"] if shape[2] == c_in else arrays["conv_out"]
            counts["n_conv3"] += 1
        elif shape == (1, 1, c_in, out):
            value = arrays["projection"]
            counts["n_conv1"] += 1
        else:
            raise ProbeConfigError(
                f"the block has a Conv2D whose kernel has shape {shape_text(shape)}; the figure only has "
                f"3x3 convolutions to {out} channels and a 1x1 convolution from {c_in} to {out} channels."
            )
        assign(conv.kernel, value)
        if getattr(conv, "bias", None) is not None:
            assign(conv.bias, np.zeros(shape_of(conv.bias), dtype=np.float32))
    for bn in bns:
        for name, value in _bn_arrays(seed, int(shape_of(bn.moving_mean)[0])).items():
            variable = getattr(bn, name, None)
            if variable is not None:
                assign(variable, value)
    return counts


def _probe_numerics(ns: Namespace, training: bool) -> Measurement:
    cls = callable_answer(ns, "resnetBlock")
    configs = []
    for shape, out, seed in NUMERIC_CASES:

        def run(block: Any, shape: tuple[int, int, int, int] = shape, out: int = out, seed: int = seed) -> dict[str, Any]:
            x = _numeric_arrays(shape, out, seed)["x"]
            if not getattr(block, "built", False):  # a new block: build it (inference leaves BN statistics alone)
                _call(block, x, False)
            counts = _assign_by_role(block, shape[-1], out, seed)
            return {"out": _call(block, x, training), **counts, "in_channels": shape[-1], "out_channels": out}

        configs.append(measure(_label(shape, out, training), partial(_on_block, cls, shape[-1], out, run)))
    return {"configs": configs}


def probe_numerics_inference(ns: Namespace) -> Measurement:
    """Outputs with training=False after the block's layers get known values by role."""
    return _probe_numerics(ns, training=False)


def probe_numerics_training(ns: Namespace) -> Measurement:
    """Outputs with training=True (batch statistics) after the same assignment (every value is assigned again)."""
    return _probe_numerics(ns, training=True)

"""q2 probes (run in the student's process, measure only): ``LinearWithoutBuild``, a linear layer whose weights exist before any call.

Configurations always have ``units != input_dim`` so that the kernel and the bias can be told
apart by shape (and a transposed kernel recognised) when the probe sets their values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.probes.base import Measurement, Namespace
from autograder.probes.measuring import (
    ProbeConfigError,
    assign,
    callable_answer,
    measure,
    seeded_normal,
    seeded_uniform,
    shape_of,
    shape_text,
    sorted_shapes,
    to_float32,
)

# (units, input_dim) or None for the defaults (32, 32).
CONSTRUCT_CASES: tuple[tuple[int, int] | None, ...] = ((3, 5), (4, 2), None, (1, 6))
TRACK_CASES: tuple[tuple[int, int], ...] = ((3, 5), (6, 2))
TRACK_SEED = 2101
# (units, input_dim, batch, seed)
CALL_CASES: tuple[tuple[int, int, int, int], ...] = ((3, 5, 4, 2201), (6, 2, 3, 2202), (1, 7, 5, 2203))


def _call_arrays(
    units: int, input_dim: int, batch: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kernel, bias and input of one call configuration."""
    return (
        seeded_normal(seed, (input_dim, units)),
        seeded_normal(seed + 1, (units,)),
        seeded_uniform(seed + 2, (batch, input_dim)),
    )


def hidden_arrays() -> dict[str, list[np.ndarray]]:
    """Every hidden array the q2 probes use, by check id (for leak tests)."""
    return {
        "q2_weights_tracked": [seeded_uniform(TRACK_SEED, (2, d)) for _, d in TRACK_CASES],
        "q2_call": [a for case in CALL_CASES for a in _call_arrays(*case)],
    }


def _construct(cls: Any, case: tuple[int, int] | None) -> Any:
    return cls() if case is None else cls(units=case[0], input_dim=case[1])


def _label(case: tuple[int, int] | None) -> str:
    return (
        "LinearWithoutBuild()"
        if case is None
        else f"LinearWithoutBuild(units={case[0]}, input_dim={case[1]})"
    )


def _variables(layer: Any) -> list[Any]:
    """Variables tracked by the layer plus variables stored as its attributes (tracked or not)."""
    import keras
    import tensorflow as tf

    found: list[Any] = []

    def add(value: Any) -> None:
        if isinstance(value, (tf.Variable, keras.Variable)) and not any(value is f for f in found):
            found.append(value)

    try:
        for weight in layer.weights:
            add(weight)
    except Exception:  # a broken layer still gets its attributes inspected
        pass
    for value in vars(layer).values():
        if isinstance(value, (list, tuple)):
            for item in value:
                add(item)
        elif isinstance(value, dict):
            for item in value.values():
                add(item)
        else:
            add(value)
    return found


def probe_weights_at_construction(ns: Namespace) -> Measurement:
    """Shapes of every variable the layer holds right after construction (tracked or not)."""
    cls = callable_answer(ns, "LinearWithoutBuild")
    configs = []
    for case in CONSTRUCT_CASES:
        units, input_dim = case or (32, 32)

        def run(case: tuple[int, int] | None = case) -> dict[str, Any]:
            layer = _construct(cls, case)
            return {"shapes": sorted_shapes(_variables(layer))}

        configs.append(
            {
                **measure(f"{_label(case)} right after construction", run),
                "units": units,
                "input_dim": input_dim,
            }
        )
    return {"configs": configs}


def probe_weights_tracked(ns: Namespace) -> Measurement:
    """What Keras tracks (weights, trainable, non-trainable) and any variable it does not."""
    cls = callable_answer(ns, "LinearWithoutBuild")
    configs = []
    for units, input_dim in TRACK_CASES:

        def run(units: int = units, input_dim: int = input_dim) -> dict[str, Any]:
            layer = _construct(cls, (units, input_dim))
            try:  # a layer that only builds at the first call is judged by the construction check
                layer(seeded_uniform(TRACK_SEED, (2, input_dim)))
            except Exception:
                pass
            tracked = list(layer.weights)
            attributes = [v for v in _variables(layer) if not any(v is t for t in tracked)]
            return {
                "weights": sorted_shapes(tracked),
                "trainable": sorted_shapes(layer.trainable_weights),
                "non_trainable": sorted_shapes(layer.non_trainable_weights),
                "untracked": sorted_shapes(attributes),
            }

        configs.append(measure(_label((units, input_dim)), run))
    return {"configs": configs}


def probe_call(ns: Namespace) -> Measurement:
    """The layer's output after its kernel and bias (found by shape) are set to seeded values."""
    cls = callable_answer(ns, "LinearWithoutBuild")
    configs = []
    for units, input_dim, batch, seed in CALL_CASES:

        def run(
            units: int = units, input_dim: int = input_dim, batch: int = batch, seed: int = seed
        ) -> dict[str, Any]:
            kernel, bias, x = _call_arrays(units, input_dim, batch, seed)
            layer = _construct(cls, (units, input_dim))
            try:  # make weights that only appear at the first call exist too
                layer(x)
            except Exception:
                pass
            found_kernel = found_bias = False
            for variable in _variables(layer):
                shape = tuple(shape_of(variable))
                if shape == (input_dim, units):
                    assign(variable, kernel)
                    found_kernel = True
                elif shape == (units, input_dim):
                    assign(variable, kernel.T)
                    found_kernel = True
                elif shape in ((units,), (1, units)):
                    assign(variable, bias.reshape(shape))
                    found_bias = True
            if not found_kernel:
                raise ProbeConfigError(
                    f"no kernel of shape (input_dim, units) = {shape_text((input_dim, units))} was found on "
                    "the layer, so its output could not be checked."
                )
            if not found_bias:
                raise ProbeConfigError(
                    f"no bias of shape (units,) = {shape_text((units,))} was found on the layer; call "
                    "computes x @ w + b."
                )
            return {"out": to_float32(layer(x), "LinearWithoutBuild.call")}

        configs.append(measure(f"{_label((units, input_dim))} on a batch of {batch}", run))
    return {"configs": configs}

"""q2 hidden checks: ``LinearWithoutBuild``, a linear layer whose weights exist before any call.

Configurations always have ``units != input_dim`` so that the kernel and the bias can be told
apart by shape (and a transposed kernel recognised) when the probe sets their values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks.base import Check, Measurement, Namespace, Verdict
from autograder.checks.probing import (
    ProbeConfigError,
    allclose,
    assign,
    callable_answer,
    judge_configs,
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
        probe_weights_at_construction,
        judge_weights_at_construction,
    ),
    Check(
        "q2_weights_tracked",
        "q2",
        "the weights are tracked by Keras",
        1.0,
        probe_weights_tracked,
        judge_weights_tracked,
    ),
    Check("q2_call", "q2", "call computes x @ w + b", 1.0, probe_call, judge_call),
)

"""q4 probes (run in the student's process, measure only): ``ActivityL1`` (a layer that adds a loss) and ``train_step``.

The ``train_step`` checks build their own small model with Keras' built-in
``ActivityRegularization`` (not the student's ``ActivityL1``), so the two halves of the
question are graded independently. The model has a BatchNormalization layer, so calling it
with ``training=False`` inside the step changes both the loss and the update.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.probes.base import Measurement, Namespace
from autograder.probes.measuring import (
    assign,
    callable_answer,
    measure,
    not_none,
    reseed,
    seeded_integers,
    seeded_normal,
    seeded_uniform,
    shape_of,
    shape_text,
    shared,
    to_float32,
    to_scalar,
)

KERAS_SEED = 4000
# (rate or None for the default, input shape, seed)
IDENTITY_CASES: tuple[tuple[float | None, tuple[int, ...], int], ...] = (
    (None, (3, 4), 4101),
    (0.5, (2, 3, 5), 4102),
    (2.0, (4, 2), 4103),
)
LOSS_CASES: tuple[tuple[float | None, tuple[int, ...], int], ...] = (
    (None, (3, 4), 4201),
    (0.5, (2, 3, 5), 4202),
    (0.05, (5, 6), 4203),
)
RESET_SEED = 4301
# Train-step models: (input size, hidden units, classes, batch, l1, learning rate, BatchNormalization?, seed)
TRAIN_CASES: tuple[tuple[int, int, int, int, float, float, bool, int], ...] = (
    (4, 6, 3, 8, 0.05, 0.1, True, 4401),
    (5, 4, 2, 6, 0.1, 0.5, False, 4402),
)


def _reset_arrays() -> dict[str, np.ndarray]:
    return {
        "x1": seeded_uniform(RESET_SEED, (3, 4)),
        "x2": seeded_uniform(RESET_SEED + 1, (3, 4)),
        "x3": seeded_uniform(RESET_SEED + 2, (5, 4)),
        "x4": seeded_uniform(RESET_SEED + 3, (5, 4)),
        "kernel": seeded_normal(RESET_SEED + 4, (4, 3)),
        "bias": seeded_normal(RESET_SEED + 5, (3,)),
    }


def _train_model(case: tuple[int, int, int, int, float, float, bool, int]) -> tuple[Any, list[np.ndarray]]:
    """A fresh model of one train-step case with seeded weights, and the values it was given."""
    import keras

    n_in, hidden, classes, _, l1, _, batch_norm, seed = case
    reseed(KERAS_SEED)
    layers: list[Any] = [keras.Input((n_in,)), keras.layers.Dense(hidden)]
    if batch_norm:
        layers.append(keras.layers.BatchNormalization())
    layers += [
        keras.layers.Activation("relu"),
        keras.layers.ActivityRegularization(l1=l1),
        keras.layers.Dense(classes),
    ]
    model = keras.Sequential(layers)
    values = []
    for index, variable in enumerate(model.weights):
        path = str(getattr(variable, "path", getattr(variable, "name", "")))
        shape = tuple(shape_of(variable))
        if path.endswith(("gamma", "moving_variance")):
            value = seeded_uniform(seed + 10 + index, shape, 0.5, 1.5)
        else:
            value = seeded_normal(seed + 10 + index, shape, 0.5)
        assign(variable, value)
        values.append(value)
    return model, values


def _train_data(case: tuple[int, int, int, int, float, float, bool, int]) -> tuple[np.ndarray, np.ndarray]:
    n_in, _, classes, batch, _, _, _, seed = case
    return seeded_uniform(seed, (batch, n_in)), seeded_integers(seed + 1, (batch,), classes).astype(np.int32)


def hidden_arrays() -> dict[str, list[np.ndarray]]:
    """Every hidden array the q4 probes use, by check id (for leak tests)."""
    train = []
    for case in TRAIN_CASES:
        train.append(_train_data(case)[0])
        train.extend(_train_model(case)[1])
    return {
        "q4_activity_identity": [seeded_uniform(seed, shape) for _, shape, seed in IDENTITY_CASES],
        "q4_activity_loss": [seeded_uniform(seed, shape) for _, shape, seed in LOSS_CASES],
        "q4_losses_reset": list(_reset_arrays().values()),
        "q4_train_step_value": train,
        "q4_train_step_update": train,
    }


def _new_activity(cls: Any, rate: float | None) -> Any:
    reseed(KERAS_SEED)
    return cls() if rate is None else cls(rate)


def _rate_text(rate: float | None) -> str:
    return (
        "ActivityL1() with the default rate"
        if rate is None
        else "ActivityL1(rate) with one of the hidden rates"
    )


def _losses(holder: Any, what: str) -> list[float]:
    return [to_scalar(loss, what) for loss in holder.losses]


def probe_activity_identity(ns: Namespace) -> Measurement:
    """ActivityL1's outputs for a few rates and input shapes."""
    cls = callable_answer(ns, "ActivityL1")
    configs = []
    for rate, shape, seed in IDENTITY_CASES:

        def run(
            rate: float | None = rate, shape: tuple[int, ...] = shape, seed: int = seed
        ) -> dict[str, Any]:
            layer = _new_activity(cls, rate)
            return {"out": to_float32(layer(seeded_uniform(seed, shape)), "ActivityL1")}

        configs.append(measure(f"{_rate_text(rate)} on an input of shape {shape_text(shape)}", run))
    return {"configs": configs}


def probe_activity_loss(ns: Namespace) -> Measurement:
    """layer.losses after one call on x, on -x and on 2x (the last two only to name mistakes)."""
    cls = callable_answer(ns, "ActivityL1")
    configs = []
    for rate, shape, seed in LOSS_CASES:

        def run(
            rate: float | None = rate, shape: tuple[int, ...] = shape, seed: int = seed
        ) -> dict[str, Any]:
            x = seeded_uniform(seed, shape)
            result = {}
            for key, scale in (("losses", 1.0), ("losses_negated", -1.0), ("losses_doubled", 2.0)):
                layer = _new_activity(cls, rate)
                not_none(layer(x * np.float32(scale)), "ActivityL1")
                result[key] = _losses(layer, "ActivityL1's loss")
            return result

        configs.append(measure(f"{_rate_text(rate)} on an input of shape {shape_text(shape)}", run))
    return {"configs": configs}


def probe_losses_reset(ns: Namespace) -> Measurement:
    """Losses after a first and a second call: the layer alone, in a Sequential, inside a custom layer."""
    import keras

    cls = callable_answer(ns, "ActivityL1")
    arrays = _reset_arrays()

    # "fresh": what a new layer (model) reports after one call on the second input. The second
    # call must report exactly that, whatever the student's formula is: a wrong formula is
    # q4_activity_loss's business, remembering or accumulating losses is this check's.
    def run_layer() -> dict[str, Any]:
        layer = _new_activity(cls, 0.3)
        not_none(layer(arrays["x1"]), "ActivityL1")
        first = _losses(layer, "ActivityL1's loss")
        layer(arrays["x2"])
        fresh = _new_activity(cls, 0.3)
        fresh(arrays["x2"])
        return {"first": first, "second": _losses(layer, "ActivityL1's loss"),
                "fresh": _losses(fresh, "ActivityL1's loss")}

    def new_model() -> Any:
        reseed(KERAS_SEED)
        dense = keras.layers.Dense(3)
        model = keras.Sequential([keras.Input((4,)), dense, cls(0.2)])
        assign(dense.kernel, arrays["kernel"])
        assign(dense.bias, arrays["bias"])
        return model

    def new_outer() -> Any:
        reseed(KERAS_SEED)
        outer = _outer_layer(cls)
        outer.dense.build((None, 4))
        assign(outer.dense.kernel, arrays["kernel"])
        assign(outer.dense.bias, arrays["bias"])
        return outer

    def run_twice(make: Any, what: str) -> dict[str, Any]:
        holder = make()
        holder(arrays["x3"])
        first = _losses(holder, what)
        holder(arrays["x4"])
        fresh = make()
        fresh(arrays["x4"])
        return {"first": first, "second": _losses(holder, what), "fresh": _losses(fresh, what)}

    def run_model() -> dict[str, Any]:
        return run_twice(new_model, "model.losses")

    def run_outer() -> dict[str, Any]:
        return run_twice(new_outer, "the enclosing layer's losses")

    return {
        "configs": [
            measure("one ActivityL1 layer called twice (layer.losses)", run_layer),
            measure("a keras.Sequential of Dense and ActivityL1 called twice (model.losses)", run_model),
            measure(
                "a custom layer that owns a Dense and an ActivityL1, called twice (outer.losses)", run_outer
            ),
        ]
    }


def _outer_layer(activity_cls: Any) -> Any:
    """The lesson's pattern: a custom layer owning a Dense layer and an activity-loss layer."""
    import keras

    class Outer(keras.layers.Layer):
        def __init__(self) -> None:
            super().__init__()
            self.dense = keras.layers.Dense(3)
            self.activity = activity_cls(0.2)

        def call(self, inputs: Any) -> Any:
            return self.activity(self.dense(inputs))

    return Outer()


def _run_train_step(
    train_step: Any, case: tuple[int, int, int, int, float, float, bool, int]
) -> tuple[Any, Any, list[np.ndarray]]:
    """One student train_step on a fresh seeded model: (returned value, model, weights before).

    Both train_step checks measure the same step (its value, its update), so it runs once
    per case and submission; a step that raised runs again for the next check.
    """

    def step() -> tuple[Any, Any, list[np.ndarray]]:
        import keras

        model, before = _train_model(case)
        x, y = _train_data(case)
        optimizer = keras.optimizers.SGD(learning_rate=case[5])
        loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        value = not_none(train_step(model, optimizer, loss_fn, x, y), "train_step")
        return value, model, before

    return shared(train_step, ("train_step", case), step)


def _train_label(case: tuple[int, int, int, int, float, float, bool, int]) -> str:
    extra = "BatchNormalization, " if case[6] else ""
    return f"train_step on a small Sequential (Dense, {extra}ReLU, ActivityRegularization, Dense) with SGD"


def probe_train_step_value(ns: Namespace) -> Measurement:
    """The type and value train_step returns on fresh seeded models."""
    train_step = callable_answer(ns, "train_step")
    configs = []
    for case in TRAIN_CASES:

        def run(case: tuple[int, int, int, int, float, float, bool, int] = case) -> dict[str, Any]:
            value, _, _ = _run_train_step(train_step, case)
            try:
                number: float | None = to_scalar(value, "train_step")
            except Exception:
                number = None
            return {"type": type(value).__name__, "value": number}

        configs.append(measure(_train_label(case), run))
    return {"configs": configs}


def probe_train_step_update(ns: Namespace) -> Measurement:
    """The model's weights after one train_step (trainable and BatchNormalization statistics)."""
    train_step = callable_answer(ns, "train_step")
    configs = []
    for case in TRAIN_CASES:

        def run(case: tuple[int, int, int, int, float, float, bool, int] = case) -> dict[str, Any]:
            _, model, before = _run_train_step(train_step, case)
            after = [np.asarray(w, dtype=np.float32) for w in model.weights]
            trainable = [np.asarray(w, dtype=np.float32) for w in model.trainable_weights]
            non_trainable = [np.asarray(w, dtype=np.float32) for w in model.non_trainable_weights]
            changed = any(not np.array_equal(a, b) for a, b in zip(after, before, strict=False))
            return {"trainable": trainable, "non_trainable": non_trainable, "changed": bool(changed)}

        configs.append(measure(_train_label(case), run))
    return {"configs": configs}

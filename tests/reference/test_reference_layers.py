"""reference.layers (q2, q4): weight tracking, numerics, losses and configs."""

import keras
import numpy as np
import pytest

from reference import ActivityL1, Linear, LinearWithoutBuild


def _randomize(layer: keras.layers.Layer, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    for weight in layer.weights:
        weight.assign(rng.normal(size=weight.shape).astype(np.float32))


@pytest.mark.parametrize(
    ("kwargs", "units", "input_dim"),
    [({}, 32, 32), ({"units": 4, "input_dim": 3}, 4, 3), ({"units": 1}, 1, 32)],
)
def test_linear_without_build_tracks_weights_after_construction(kwargs, units, input_dim):
    layer = LinearWithoutBuild(**kwargs)
    assert len(layer.weights) == 2
    assert [w.name for w in layer.trainable_weights] == ["kernel", "bias"]
    assert layer.non_trainable_weights == []
    assert [tuple(w.shape) for w in layer.weights] == [(input_dim, units), (units,)]


@pytest.mark.parametrize("layer_class", [Linear, LinearWithoutBuild])
@pytest.mark.parametrize(("batch", "input_dim", "units"), [(2, 3, 4), (5, 7, 1)])
def test_linear_call_is_x_at_w_plus_b(layer_class, batch, input_dim, units):
    layer = Linear(units) if layer_class is Linear else LinearWithoutBuild(units, input_dim)
    layer.build((None, input_dim))
    _randomize(layer)
    x = np.random.default_rng(1).normal(size=(batch, input_dim)).astype(np.float32)
    kernel, bias = (w.numpy() for w in layer.weights)
    np.testing.assert_allclose(layer(x).numpy(), x @ kernel + bias, rtol=1e-5)


def test_linear_without_build_rejects_other_input_sizes():
    layer = LinearWithoutBuild(units=4, input_dim=3)
    with pytest.raises(Exception, match="[Ii]ncompatible"):
        layer(np.ones((2, 5), dtype=np.float32))


@pytest.mark.parametrize("input_dim", [2, 5])
def test_linear_builds_lazily_from_the_input(input_dim):
    layer = Linear(4)
    assert not layer.built
    assert layer.weights == []
    y = layer(np.ones((2, input_dim), dtype=np.float32))
    assert tuple(y.shape) == (2, 4)
    assert [tuple(w.shape) for w in layer.trainable_weights] == [(input_dim, 4), (4,)]


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: Linear(0), r"Expected `units` > 0. Received: units=0"),
        (lambda: Linear(-3), r"Expected `units` > 0. Received: units=-3"),
        (lambda: LinearWithoutBuild(units=0), r"Received: units=0"),
        (lambda: LinearWithoutBuild(input_dim=0), r"Received: input_dim=0"),
        (lambda: ActivityL1(rate=-0.1), r"Expected `rate` >= 0. Received: rate=-0.1"),
    ],
)
def test_layers_reject_bad_values(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: Linear(2.5), "`units`"),
        (lambda: LinearWithoutBuild(input_dim="3"), "`input_dim`"),
        (lambda: ActivityL1(rate="high"), "`rate`"),
    ],
)
def test_layers_reject_bad_types(make, match):
    with pytest.raises(TypeError, match=match):
        make()


@pytest.mark.parametrize(
    ("layer_class", "kwargs"),
    [
        (Linear, {"units": 5}),
        (LinearWithoutBuild, {"units": 3, "input_dim": 6}),
        (ActivityL1, {"rate": 0.25}),
    ],
)
def test_get_config_round_trips(layer_class, kwargs):
    layer = layer_class(name="probe", **kwargs)
    config = layer.get_config()
    assert {key: config[key] for key in kwargs} == kwargs
    clone = layer_class.from_config(config)
    assert type(clone) is layer_class
    assert clone.get_config() == config
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is layer_class
    assert restored.get_config() == config


@pytest.mark.parametrize("rate", [0.0, 1e-2, 0.5])
@pytest.mark.parametrize("shape", [(3,), (2, 4), (2, 3, 3, 2)])
def test_activity_l1_loss_is_rate_times_sum_abs(rate, shape):
    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    layer = ActivityL1(rate)
    layer(x)
    assert len(layer.losses) == 1
    assert float(layer.losses[0]) == pytest.approx(rate * np.abs(x).sum(), rel=1e-5, abs=1e-7)


def test_activity_l1_returns_inputs_unchanged():
    x = np.random.default_rng(0).normal(size=(2, 5)).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(ActivityL1(0.3)(x)), x)


def test_activity_l1_losses_do_not_accumulate():
    layer = ActivityL1(0.5)
    layer(np.ones((2, 2), dtype=np.float32))
    layer(np.full((2, 2), -3.0, dtype=np.float32))
    assert len(layer.losses) == 1
    assert float(layer.losses[0]) == pytest.approx(0.5 * 12.0)


def test_activity_l1_losses_reach_the_enclosing_model():
    dense = keras.layers.Dense(3)
    model = keras.Sequential([keras.Input((4,)), dense, ActivityL1(0.1)])
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    model(x)
    model(x)
    kernel, bias = (w.numpy() for w in dense.weights)
    assert len(model.losses) == 1
    assert float(model.losses[0]) == pytest.approx(0.1 * np.abs(x @ kernel + bias).sum(), rel=1e-5)

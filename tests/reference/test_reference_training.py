"""reference.training (q4): train_step uses the data loss and model.losses."""

import keras
import numpy as np
import pytest

from reference import ActivityL1, train_step


def make_model(rate: float) -> keras.Model:
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            ActivityL1(rate),
            keras.layers.Dense(3),
        ]
    )


def make_batch() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(16, 4)).astype(np.float32), rng.integers(0, 3, size=16)


LOSS_FN = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


@pytest.mark.parametrize("rate", [0.0, 0.05])
def test_returns_the_float_loss_before_the_step(rate):
    model, (x, y) = make_model(rate), make_batch()
    expected = float(LOSS_FN(y, model(x, training=True)) + sum(model.losses))
    loss = train_step(model, keras.optimizers.SGD(0.1), LOSS_FN, x, y)
    assert isinstance(loss, float)
    assert loss == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    "optimizer",
    [lambda: keras.optimizers.SGD(0.1), lambda: keras.optimizers.Adam(0.01)],
)
def test_lowers_the_loss_on_a_fixed_batch(optimizer):
    model, (x, y), opt = make_model(0.01), make_batch(), optimizer()
    losses = [train_step(model, opt, LOSS_FN, x, y) for _ in range(6)]
    assert losses[-1] < losses[0]


def test_includes_model_losses_in_the_total():
    rate, (x, y) = 0.5, make_batch()
    with_l1, without = make_model(rate), make_model(0.0)
    hidden_kernel, hidden_bias = (w.numpy() for w in with_l1.layers[0].weights)
    hidden = np.maximum(x @ hidden_kernel + hidden_bias, 0)
    total = train_step(with_l1, keras.optimizers.SGD(0.1), LOSS_FN, x, y)
    data_only = train_step(without, keras.optimizers.SGD(0.1), LOSS_FN, x, y)
    assert total - data_only == pytest.approx(rate * np.abs(hidden).sum(), rel=1e-4)


def test_gradient_includes_model_losses():
    model, (x, y) = make_model(0.5), make_batch()
    before = [w.numpy() for w in model.trainable_weights]

    def zero_data_loss(y_true, y_pred):
        return 0.0 * keras.ops.sum(y_pred)

    train_step(model, keras.optimizers.SGD(0.1), zero_data_loss, x, y)
    after = [w.numpy() for w in model.trainable_weights]
    # Only the layer before ActivityL1 feels the L1 penalty.
    assert not np.allclose(before[0], after[0])
    np.testing.assert_array_equal(before[2], after[2])


def test_runs_the_model_in_training_mode():
    model = keras.Sequential([keras.Input((4,)), keras.layers.BatchNormalization(), keras.layers.Dense(3)])
    x, y = make_batch()
    train_step(model, keras.optimizers.SGD(0.1), LOSS_FN, x + 5.0, y)
    assert np.all(model.layers[0].moving_mean.numpy() > 0)

"""q4: one step of a custom training loop that uses the layers' losses."""

from collections.abc import Callable
from typing import Any

import keras
import tensorflow as tf


def train_step(
    model: keras.layers.Layer,
    optimizer: keras.optimizers.Optimizer,
    loss_fn: Callable[[Any, Any], Any],
    x: Any,
    y: Any,
) -> float:
    """Takes one gradient step on the data loss plus the model's own losses.

    The total is `loss_fn(y, model(x, training=True)) + sum(model.losses)`,
    where `model.losses` holds the losses added (with `add_loss`) during this
    forward pass. Its gradient with respect to `model.trainable_weights` is
    applied with `optimizer`.

    Args:
        model: A Keras layer or model.
        optimizer: A Keras optimizer.
        loss_fn: Called as `loss_fn(y_true, y_pred)`; returns a scalar.
        x: A batch of inputs.
        y: The matching targets.

    Returns:
        The total loss of this step, computed before the update, as a float.

    Example:

    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    >>> optimizer = keras.optimizers.SGD(learning_rate=0.1)
    >>> loss_fn = keras.losses.MeanSquaredError()
    >>> x, y = np.ones((4, 3)), np.zeros((4, 1))
    >>> first = train_step(model, optimizer, loss_fn, x, y)
    >>> second = train_step(model, optimizer, loss_fn, x, y)
    >>> isinstance(first, float) and second < first
    True
    """
    with tf.GradientTape() as tape:
        predictions = model(x, training=True)
        loss = loss_fn(y, predictions) + sum(model.losses)
    weights = model.trainable_weights
    gradients = tape.gradient(loss, weights)
    optimizer.apply_gradients(zip(gradients, weights, strict=True))
    return float(loss)

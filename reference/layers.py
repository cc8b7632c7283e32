"""q2 and q4: the lesson's linear layers and an activity-regularization layer.

`Linear` is the lesson's build-based layer; `LinearWithoutBuild` creates its
weights in `__init__` with `add_weight` (Keras 3 does not track the raw
`tf.Variable`s the lesson assigns there); `ActivityL1` adds an L1 activity
loss with `add_loss`.
"""

import numbers
from typing import Any

import keras
from keras import ops


def _check_positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"Expected `{name}` to be a positive integer. Received: {name}={value!r}")
    if value <= 0:
        raise ValueError(f"Expected `{name}` > 0. Received: {name}={value}")


class _LinearBase(keras.layers.Layer):
    """Shared part of the linear layers: `units`, `call` and config.

    Subclasses create `self.w` of shape `(input_dim, units)` and `self.b` of
    shape `(units,)`.
    """

    def __init__(self, units: int = 32, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_positive_int("units", units)
        self.units = int(units)

    def call(self, inputs: Any) -> Any:
        return ops.matmul(inputs, self.w) + self.b

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"units": self.units})
        return config


@keras.saving.register_keras_serializable(package="reference")
class Linear(_LinearBase):
    """Densely connected layer `y = x @ w + b` whose weights are made in `build`.

    The input size is read from the first input, so only `units` is needed.

    Args:
        units: Positive integer, dimensionality of the output space.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Input shape:
        N-D tensor with shape `(batch_size, ..., input_dim)`.

    Output shape:
        N-D tensor with shape `(batch_size, ..., units)`.

    Example:

    >>> layer = Linear(4)
    >>> layer.weights
    []
    >>> tuple(layer(np.ones((2, 5))).shape)
    (2, 4)
    >>> [tuple(w.shape) for w in layer.weights]
    [(5, 4), (4,)]
    """

    def build(self, input_shape: tuple) -> None:
        self.w = self.add_weight(
            name="kernel",
            shape=(input_shape[-1], self.units),
            initializer="random_normal",
            trainable=True,
        )
        self.b = self.add_weight(
            name="bias",
            shape=(self.units,),
            initializer="random_normal",
            trainable=True,
        )


@keras.saving.register_keras_serializable(package="reference")
class LinearWithoutBuild(_LinearBase):
    """Densely connected layer `y = x @ w + b` whose weights are made in `__init__`.

    Without `build` the input size is not read from the input, so it must be
    given up front as `input_dim`; inputs of any other size fail.

    Args:
        units: Positive integer, dimensionality of the output space.
        input_dim: Positive integer, size of the last input axis.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Input shape:
        N-D tensor with shape `(batch_size, ..., input_dim)`.

    Output shape:
        N-D tensor with shape `(batch_size, ..., units)`.

    Example:

    >>> layer = LinearWithoutBuild(units=4, input_dim=5)
    >>> [w.name for w in layer.trainable_weights]
    ['kernel', 'bias']
    >>> tuple(layer(np.ones((2, 5))).shape)
    (2, 4)
    """

    def __init__(self, units: int = 32, input_dim: int = 32, **kwargs: Any) -> None:
        super().__init__(units=units, **kwargs)
        _check_positive_int("input_dim", input_dim)
        self.input_dim = int(input_dim)
        self.w = self.add_weight(
            name="kernel",
            shape=(self.input_dim, self.units),
            initializer="random_normal",
            trainable=True,
        )
        self.b = self.add_weight(
            name="bias",
            shape=(self.units,),
            initializer="zeros",
            trainable=True,
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"input_dim": self.input_dim})
        return config


@keras.saving.register_keras_serializable(package="reference")
class ActivityL1(keras.layers.Layer):
    """Identity layer that adds an L1 activity loss `rate * sum(|inputs|)`.

    The loss is added with `add_loss` on every forward pass; `layer.losses`
    (and that of any enclosing layer or model) holds the losses of the last
    forward pass only.

    Args:
        rate: Non-negative float, the weight of the L1 penalty.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Input shape:
        Arbitrary.

    Output shape:
        Same shape as input.

    Example:

    >>> layer = ActivityL1(rate=0.5)
    >>> y = layer(np.array([[1.0, -3.0]]))
    >>> y.numpy().tolist()
    [[1.0, -3.0]]
    >>> [float(loss) for loss in layer.losses]
    [2.0]
    """

    def __init__(self, rate: float = 1e-2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
            raise TypeError(f"Expected `rate` to be a non-negative number. Received: rate={rate!r}")
        if not rate >= 0:
            raise ValueError(f"Expected `rate` >= 0. Received: rate={rate}")
        self.rate = float(rate)

    def call(self, inputs: Any) -> Any:
        self.add_loss(self.rate * ops.sum(ops.abs(inputs)))
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rate": self.rate})
        return config

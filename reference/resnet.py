"""q3: a residual block written as a custom layer by subclassing."""

import numbers
from typing import Any

import keras
from keras import layers, ops

_PROJECTIONS = ("auto", "always")


@keras.saving.register_keras_serializable(package="reference")
class resnetBlock(layers.Layer):
    """Residual block of He et al. (2016), as in the lesson's figure (from d2l.ai).

    `relu(bn(conv3x3(relu(bn(conv3x3(x))))) + shortcut(x))`, where both 3x3
    convolutions have `out_channels` filters and `"same"` padding, and the
    shortcut is either the identity or a 1x1 convolution to `out_channels`.
    Batch normalization uses batch statistics when called with
    `training=True` and its moving statistics otherwise.

    Args:
        out_channels: Positive integer, the number of output channels.
        projection: `"auto"` uses the identity shortcut when the input already
            has `out_channels` channels and a 1x1 convolution otherwise (the
            decision is made in `build`, once the input is known); `"always"`
            always uses a 1x1 convolution.
        use_bias: Boolean, whether the convolutions have biases.
        **kwargs: Base layer keyword arguments, such as `name` and `dtype`.

    Input shape:
        4-D tensor with shape `(batch_size, height, width, channels)`.

    Output shape:
        4-D tensor with shape `(batch_size, height, width, out_channels)`.

    Example:

    >>> block = resnetBlock(8)
    >>> x = np.random.rand(2, 5, 7, 3)
    >>> tuple(block(x, training=False).shape)
    (2, 5, 7, 8)
    >>> block.shortcut is not None  # 3 input channels != 8: a 1x1 conv
    True
    >>> len(block.trainable_weights), len(block.non_trainable_weights)
    (7, 4)
    """

    def __init__(
        self,
        out_channels: int,
        projection: str = "auto",
        use_bias: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(out_channels, bool) or not isinstance(out_channels, numbers.Integral):
            raise TypeError(
                f"Expected `out_channels` to be a positive integer. Received: out_channels={out_channels!r}"
            )
        if out_channels <= 0:
            raise ValueError(f"Expected `out_channels` > 0. Received: out_channels={out_channels}")
        if projection not in _PROJECTIONS:
            raise ValueError(f"Expected `projection` to be one of {_PROJECTIONS}. Received: projection={projection!r}")
        if not isinstance(use_bias, bool):
            raise TypeError(f"Expected `use_bias` to be a boolean. Received: use_bias={use_bias!r}")
        self.out_channels = int(out_channels)
        self.projection = projection
        self.use_bias = use_bias

        self.conv1 = self._conv(3, "conv1")
        self.bn1 = layers.BatchNormalization(name="bn1")
        self.conv2 = self._conv(3, "conv2")
        self.bn2 = layers.BatchNormalization(name="bn2")
        # Whether a projection is needed depends on the input: see `build`.
        self.shortcut = None

    def _conv(self, kernel_size: int, name: str) -> layers.Conv2D:
        return layers.Conv2D(
            self.out_channels,
            kernel_size,
            padding="same",
            use_bias=self.use_bias,
            name=name,
        )

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) != 4:
            raise ValueError(
                f"Expected a 4-D input (batch, height, width, channels). Received: input_shape={input_shape}"
            )
        in_channels = input_shape[-1]
        if self.projection == "always" or in_channels != self.out_channels:
            self.shortcut = self._conv(1, "shortcut")
            self.shortcut.build(input_shape)
        inner_shape = (*input_shape[:-1], self.out_channels)
        self.conv1.build(input_shape)
        self.bn1.build(inner_shape)
        self.conv2.build(inner_shape)
        self.bn2.build(inner_shape)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        x = self.conv1(inputs)
        x = self.bn1(x, training=training)
        x = ops.relu(x)
        x = self.conv2(x)
        x = self.bn2(x, training=training)
        shortcut = inputs if self.shortcut is None else self.shortcut(inputs)
        return ops.relu(x + shortcut)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape[:-1], self.out_channels)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "out_channels": self.out_channels,
                "projection": self.projection,
                "use_bias": self.use_bias,
            }
        )
        return config

"""q1: does a one-pixel shift change pooled outputs?

The lesson shifts a 4x4 image one pixel to the right (``pixel_shift``) and
compares its max-pooled output with the original's. These helpers generalize
that demo to batches of NHWC images, any shift and any Keras pooling layer.
"""

import numbers
from collections.abc import Callable
from typing import Any

import tensorflow as tf

Pool = Callable[[tf.Tensor], Any]


def _check_pixels(pixels: int, width: int | None) -> None:
    if isinstance(pixels, bool) or not isinstance(pixels, numbers.Integral):
        raise TypeError(f"Expected `pixels` to be an integer. Received: pixels={pixels!r}")
    if pixels < 0:
        raise ValueError(f"Expected `pixels` >= 0. Received: pixels={pixels}")
    if width is not None and pixels > width:
        raise ValueError(f"Expected `pixels` <= the width of `x` (axis 2, width={width}). Received: pixels={pixels}")


def shift_right(x: Any, pixels: int = 1) -> tf.Tensor:
    """Shifts a batch of NHWC images to the right along the width axis.

    The first `pixels` columns are filled with zeros and the last `pixels`
    columns are dropped, so the shape does not change. This is the lesson's
    ``pixel_shift`` for any batch, height, width, channel count and shift.

    Args:
        x: A 4-D array or tensor of shape `(batch, height, width, channels)`.
        pixels: Non-negative integer, at most the width. `0` returns `x`
            unchanged (as float32); the width gives all zeros.

    Returns:
        A float32 `tf.Tensor` with the shape of `x`.

    Raises:
        TypeError: If `pixels` is not an integer.
        ValueError: If `x` is not 4-D, or `pixels` is negative or larger than
            the width of `x`.

    Example:

    >>> x = np.arange(1, 5).reshape(1, 1, 4, 1)
    >>> shift_right(x)[0, 0, :, 0].numpy().tolist()
    [0.0, 1.0, 2.0, 3.0]
    >>> shift_right(x, pixels=3)[0, 0, :, 0].numpy().tolist()
    [0.0, 0.0, 0.0, 1.0]
    """
    x = tf.cast(tf.convert_to_tensor(x), tf.float32)
    if x.shape.rank != 4:
        raise ValueError(
            f"Expected `x` to be a 4-D (batch, height, width, channels) array. Received: x with shape {tuple(x.shape)}"
        )
    _check_pixels(pixels, x.shape[2])
    width = tf.shape(x)[2]
    kept = x[:, :, : width - pixels, :]
    return tf.pad(kept, [[0, 0], [0, 0], [pixels, 0], [0, 0]])


def _pool_pair(pool: Pool, x: Any, pixels: int) -> tuple[tf.Tensor, tf.Tensor]:
    shifted = shift_right(x, pixels)
    original = tf.cast(tf.convert_to_tensor(x), tf.float32)
    before = tf.convert_to_tensor(pool(original))
    after = tf.convert_to_tensor(pool(shifted))
    if tf.size(before) == 0:
        raise ValueError(
            "Expected `pool` to produce a non-empty output. Received: `pool` "
            f"output with shape {tuple(before.shape)} for x with shape "
            f"{tuple(original.shape)}"
        )
    return before, after


def pooling_change(pool: Pool, x: Any, pixels: int = 1) -> float:
    """Mean absolute change of a pooled output when its input shifts right.

    Args:
        pool: A pooling layer (or any callable on NHWC tensors), e.g.
            `keras.layers.MaxPooling2D((2, 2))`.
        x: A 4-D NHWC array or tensor.
        pixels: How far to shift `x` right; see `shift_right`.

    Returns:
        `mean(|pool(x) - pool(shift_right(x, pixels))|)` as a Python float.

    Raises:
        TypeError: If `pixels` is not an integer.
        ValueError: For the bad inputs `shift_right` rejects, or if `pool`
            returns an empty output.

    Example:

    >>> x = np.array([[5, 1, 3, 3], [0, 0, 0, 0]]).reshape(1, 2, 4, 1)
    >>> pooling_change(keras.layers.MaxPooling2D((2, 2)), x)
    0.0
    >>> pooling_change(keras.layers.AveragePooling2D((2, 2)), x)
    0.375
    """
    before, after = _pool_pair(pool, x, pixels)
    return float(tf.reduce_mean(tf.cast(tf.abs(before - after), tf.float64)))


def fraction_unchanged(pool: Pool, x: Any, pixels: int = 1) -> float:
    """Fraction of pooled outputs exactly unchanged when the input shifts right.

    Args:
        pool: A pooling layer (or any callable on NHWC tensors).
        x: A 4-D NHWC array or tensor.
        pixels: How far to shift `x` right; see `shift_right`.

    Returns:
        The fraction, in [0, 1], of entries where `pool(x)` equals
        `pool(shift_right(x, pixels))`, as a Python float.

    Raises:
        TypeError, ValueError: As `pooling_change`.

    Example:

    >>> x = np.array([[5, 1, 3, 3], [0, 0, 0, 0]]).reshape(1, 2, 4, 1)
    >>> fraction_unchanged(keras.layers.MaxPooling2D((2, 2)), x)
    1.0
    >>> fraction_unchanged(keras.layers.AveragePooling2D((2, 2)), x)
    0.0
    """
    before, after = _pool_pair(pool, x, pixels)
    unchanged = int(tf.math.count_nonzero(tf.equal(before, after)))
    return unchanged / int(tf.size(before))

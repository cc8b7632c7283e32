"""reference.pooling (q1) against an independent NumPy shift and pooling."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from reference import fraction_unchanged, pooling_change, shift_right

POOLS = {"max": keras.layers.MaxPooling2D, "avg": keras.layers.AveragePooling2D}
# (pool_size, strides); strides None means strides == pool_size, as in Keras.
POOL_CONFIGS = [((2, 2), None), ((2, 2), (1, 1)), ((3, 3), (1, 1)), ((2, 3), (2, 1))]
SHAPES_AND_PIXELS = [
    ((1, 4, 4, 1), 0),
    ((1, 4, 4, 1), 1),
    ((2, 3, 5, 2), 2),
    ((3, 1, 7, 4), 1),
    ((2, 6, 8, 3), 3),
]


def np_shift_right(x: np.ndarray, pixels: int) -> np.ndarray:
    out = np.zeros(x.shape, dtype=np.float64)
    for col in range(pixels, x.shape[2]):
        out[:, :, col, :] = x[:, :, col - pixels, :]
    return out


def np_pool(x: np.ndarray, kind: str, pool_size, strides) -> np.ndarray:
    (ph, pw), (sh, sw) = pool_size, strides or pool_size
    batch, height, width, channels = x.shape
    out_h, out_w = (height - ph) // sh + 1, (width - pw) // sw + 1
    x = x.astype(np.float64)
    reduce = np.max if kind == "max" else np.mean
    out = np.empty((batch, out_h, out_w, channels), dtype=np.float64)
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, i * sh : i * sh + ph, j * sw : j * sw + pw, :]
            out[:, i, j, :] = reduce(window, axis=(1, 2))
    return out


@pytest.mark.parametrize("as_tensor", [False, True], ids=["numpy", "tensor"])
@pytest.mark.parametrize(("shape", "pixels"), SHAPES_AND_PIXELS)
def test_shift_right_matches_numpy(shape, pixels, as_tensor):
    x = np.random.default_rng(0).integers(-9, 10, size=shape)
    shifted = shift_right(tf.constant(x) if as_tensor else x, pixels)
    assert isinstance(shifted, tf.Tensor)
    assert shifted.dtype == tf.float32
    np.testing.assert_array_equal(shifted.numpy(), np_shift_right(x, pixels))


def test_shift_right_default_is_one_pixel():
    x = np.arange(1, 9, dtype=np.float32).reshape(1, 2, 4, 1)
    np.testing.assert_array_equal(shift_right(x).numpy(), np_shift_right(x, 1))


@pytest.mark.parametrize("shape", [(1, 4, 4, 1), (2, 3, 5, 2)])
def test_shift_right_by_the_width_gives_zeros(shape):
    x = np.ones(shape, dtype=np.float32)
    np.testing.assert_array_equal(shift_right(x, shape[2]).numpy(), np.zeros(shape))


@pytest.mark.parametrize(
    ("shape", "pixels", "match"),
    [
        ((4, 4), 1, "`x`"),
        ((1, 4, 4), 1, "`x`"),
        ((1, 1, 4, 4, 1), 1, "`x`"),
        ((1, 4, 4, 1), -1, "`pixels` >= 0"),
        ((1, 4, 4, 1), 5, "`pixels` <= the width"),
    ],
)
def test_shift_right_rejects_bad_arguments(shape, pixels, match):
    with pytest.raises(ValueError, match=match):
        shift_right(np.zeros(shape), pixels)


@pytest.mark.parametrize("pixels", [1.0, "1", True, None])
def test_shift_right_rejects_non_integer_pixels(pixels):
    with pytest.raises(TypeError, match="`pixels`"):
        shift_right(np.zeros((1, 4, 4, 1)), pixels)


@pytest.mark.parametrize("pixels", [0, 1, 2])
@pytest.mark.parametrize(("pool_size", "strides"), POOL_CONFIGS)
@pytest.mark.parametrize("kind", sorted(POOLS))
def test_pooling_change_matches_numpy(kind, pool_size, strides, pixels):
    x = np.random.default_rng(1).normal(size=(2, 6, 8, 3)).astype(np.float32)
    pool = POOLS[kind](pool_size, strides=strides)
    expected = np.mean(
        np.abs(np_pool(x, kind, pool_size, strides) - np_pool(np_shift_right(x, pixels), kind, pool_size, strides))
    )
    change = pooling_change(pool, x, pixels)
    assert isinstance(change, float)
    assert change == pytest.approx(expected, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("pixels", [0, 1, 2])
@pytest.mark.parametrize(("pool_size", "strides"), POOL_CONFIGS)
@pytest.mark.parametrize("kind", sorted(POOLS))
def test_fraction_unchanged_matches_numpy(kind, pool_size, strides, pixels):
    # Small integers: pooled values are exact, so "exactly equal" is well defined.
    x = np.random.default_rng(2).integers(0, 9, size=(2, 6, 8, 3))
    pool = POOLS[kind](pool_size, strides=strides)
    expected = np.mean(
        np_pool(x, kind, pool_size, strides) == np_pool(np_shift_right(x, pixels), kind, pool_size, strides)
    )
    fraction = fraction_unchanged(pool, x, pixels)
    assert isinstance(fraction, float)
    assert fraction == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(("kind", "low", "high"), [("max", 0.35, 0.65), ("avg", 0.0, 0.15)])
def test_one_pixel_shift_keeps_half_of_max_and_almost_no_avg(kind, low, high):
    x = np.random.default_rng(3).integers(0, 9, size=(8, 16, 16, 1))
    assert low <= fraction_unchanged(POOLS[kind]((2, 2)), x) <= high


@pytest.mark.parametrize("function", [pooling_change, fraction_unchanged])
def test_pool_metrics_reject_empty_pool_output(function):
    def empty_pool(x):
        return x[:, :, :0, :]

    with pytest.raises(ValueError, match="non-empty"):
        function(empty_pool, np.ones((1, 2, 2, 1)))

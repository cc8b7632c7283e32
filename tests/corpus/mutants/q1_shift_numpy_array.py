"""
question: q1
must_fail: [q1_shift_shape_dtype]
why: returns a float32 NumPy array instead of a tf.Tensor
"""
import numpy as np


def shift_right(x, pixels=1):
    x = np.asarray(x, dtype=np.float32)
    out = np.zeros_like(x)
    out[:, :, pixels:, :] = x[:, :, : x.shape[2] - pixels, :]
    return out


def pooling_change(pool, x, pixels=1):
    before = np.asarray(pool(np.asarray(x, dtype=np.float32)))
    after = np.asarray(pool(shift_right(x, pixels)))
    return float(np.mean(np.abs(before - after)))


def fraction_unchanged(pool, x, pixels=1):
    before = np.asarray(pool(np.asarray(x, dtype=np.float32)))
    after = np.asarray(pool(shift_right(x, pixels)))
    return float(np.mean(before == after))

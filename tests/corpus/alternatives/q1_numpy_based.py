"""
question: q1
must_fail: []
why: shifts with NumPy slicing, converts to a float32 tensor at the end, measures with NumPy
"""
import numpy as np
import tensorflow as tf


def shift_right(x, pixels=1):
    x = np.asarray(x, dtype=np.float32)
    out = np.zeros_like(x)
    if pixels == 0:
        out[...] = x
    else:
        out[:, :, pixels:, :] = x[:, :, :-pixels, :]
    return tf.convert_to_tensor(out, dtype=tf.float32)


def _pooled_pair(pool, x, pixels):
    x = np.asarray(x, dtype=np.float32)
    return np.asarray(pool(x)), np.asarray(pool(shift_right(x, pixels)))


def pooling_change(pool, x, pixels=1):
    before, after = _pooled_pair(pool, x, pixels)
    return float(np.abs(before - after).mean())


def fraction_unchanged(pool, x, pixels=1):
    before, after = _pooled_pair(pool, x, pixels)
    return np.count_nonzero(before == after) / before.size

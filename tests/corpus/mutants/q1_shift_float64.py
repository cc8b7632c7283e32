"""
question: q1
must_fail: [q1_shift_shape_dtype]
why: the lesson's np.concatenate with np.zeros gives float64, returned as a float64 tensor
"""
import numpy as np
import tensorflow as tf


def shift_right(x, pixels=1):
    x = np.asarray(x)
    zeros = np.zeros(x.shape[:2] + (pixels,) + x.shape[3:])
    return tf.constant(np.concatenate([zeros, x[:, :, : x.shape[2] - pixels, :]], axis=2))


def pooling_change(pool, x, pixels=1):
    before = pool(tf.cast(x, tf.float32))
    after = pool(tf.cast(shift_right(x, pixels), tf.float32))
    return float(tf.reduce_mean(tf.abs(before - after)))


def fraction_unchanged(pool, x, pixels=1):
    before = pool(tf.cast(x, tf.float32))
    after = pool(tf.cast(shift_right(x, pixels), tf.float32))
    return float(tf.reduce_mean(tf.cast(before == after, tf.float32)))

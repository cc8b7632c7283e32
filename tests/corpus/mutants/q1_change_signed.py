"""
question: q1
must_fail: [q1_pooling_change]
why: pooling_change averages the signed difference, without the absolute value
"""
import tensorflow as tf


def shift_right(x, pixels=1):
    x = tf.cast(tf.convert_to_tensor(x), tf.float32)
    return tf.pad(x[:, :, : x.shape[2] - pixels, :], [[0, 0], [0, 0], [pixels, 0], [0, 0]])


def pooling_change(pool, x, pixels=1):
    x = tf.cast(x, tf.float32)
    return float(tf.reduce_mean(pool(x) - pool(shift_right(x, pixels))))


def fraction_unchanged(pool, x, pixels=1):
    x = tf.cast(x, tf.float32)
    return float(tf.reduce_mean(tf.cast(pool(x) == pool(shift_right(x, pixels)), tf.float32)))

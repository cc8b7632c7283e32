"""
question: q1
must_fail: [q1_shift_values, q1_pooling_change, q1_fraction_unchanged]
why: shifts to the left (drops the first columns, zero-fills the last ones) (pooling_change and fraction_unchanged rely on it and say so)
"""
import tensorflow as tf


def shift_right(x, pixels=1):
    x = tf.cast(tf.convert_to_tensor(x), tf.float32)
    return tf.pad(x[:, :, pixels:, :], [[0, 0], [0, 0], [0, pixels], [0, 0]])


def pooling_change(pool, x, pixels=1):
    x = tf.cast(x, tf.float32)
    return float(tf.reduce_mean(tf.abs(pool(x) - pool(shift_right(x, pixels)))))


def fraction_unchanged(pool, x, pixels=1):
    x = tf.cast(x, tf.float32)
    return float(tf.reduce_mean(tf.cast(pool(x) == pool(shift_right(x, pixels)), tf.float32)))

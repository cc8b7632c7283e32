"""
question: q1
must_fail: [q1_shift_values, q1_pooling_change, q1_fraction_unchanged]
why: tf.roll wraps the last columns around instead of zero-filling (pooling_change and fraction_unchanged rely on it and say so)
"""
import tensorflow as tf


def shift_right(x, pixels=1):
    return tf.roll(tf.cast(x, tf.float32), shift=pixels, axis=2)


def pooling_change(pool, x, pixels=1):
    x = tf.cast(x, tf.float32)
    return float(tf.reduce_mean(tf.abs(pool(x) - pool(shift_right(x, pixels)))))


def fraction_unchanged(pool, x, pixels=1):
    x = tf.cast(x, tf.float32)
    return float(tf.reduce_mean(tf.cast(pool(x) == pool(shift_right(x, pixels)), tf.float32)))

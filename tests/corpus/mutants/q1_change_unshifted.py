"""
question: q1
must_fail: [q1_pooling_change, q1_fraction_unchanged, q1_finding]
why: pools the unshifted input twice (forgets to call shift_right)
"""
import tensorflow as tf


def shift_right(x, pixels=1):
    x = tf.cast(tf.convert_to_tensor(x), tf.float32)
    return tf.pad(x[:, :, : x.shape[2] - pixels, :], [[0, 0], [0, 0], [pixels, 0], [0, 0]])


def pooling_change(pool, x, pixels=1):
    x = tf.cast(x, tf.float32)
    return float(tf.reduce_mean(tf.abs(pool(x) - pool(x))))


def fraction_unchanged(pool, x, pixels=1):
    x = tf.cast(x, tf.float32)
    return float(tf.reduce_mean(tf.cast(pool(x) == pool(x), tf.float32)))

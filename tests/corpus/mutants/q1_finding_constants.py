"""
question: q1
must_fail: [q1_pooling_change, q1_fraction_unchanged, q1_finding]
why: fixed numbers that tell the right story without measuring anything
"""
import tensorflow as tf


def shift_right(x, pixels=1):
    x = tf.cast(tf.convert_to_tensor(x), tf.float32)
    return tf.pad(x[:, :, : x.shape[2] - pixels, :], [[0, 0], [0, 0], [pixels, 0], [0, 0]])


def pooling_change(pool, x, pixels=1):
    return 0.1


def fraction_unchanged(pool, x, pixels=1):
    return 0.5 if "Max" in type(pool).__name__ else 0.0

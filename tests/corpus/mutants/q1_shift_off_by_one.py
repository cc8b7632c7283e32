"""
question: q1
must_fail: [q1_shift_values, q1_pooling_change, q1_fraction_unchanged, q1_finding]
why: shifts one column too far (pads pixels + 1 columns) (the other q1 functions rely on it: a two-column shift leaves no 2x2 maximum in place)
"""
import tensorflow as tf


def shift_right(x, pixels=1):
    x = tf.cast(tf.convert_to_tensor(x), tf.float32)
    width = x.shape[2]
    kept = x[:, :, : max(width - pixels - 1, 0), :]
    return tf.pad(kept, [[0, 0], [0, 0], [width - kept.shape[2], 0], [0, 0]])


def pooling_change(pool, x, pixels=1):
    x = tf.cast(x, tf.float32)
    return float(tf.reduce_mean(tf.abs(pool(x) - pool(shift_right(x, pixels)))))


def fraction_unchanged(pool, x, pixels=1):
    x = tf.cast(x, tf.float32)
    return float(tf.reduce_mean(tf.cast(tf.equal(pool(x), pool(shift_right(x, pixels))), tf.float32)))

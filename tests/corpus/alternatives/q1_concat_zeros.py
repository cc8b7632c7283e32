"""
question: q1
must_fail: []
why: the lesson's concatenate-with-zeros shift written in TensorFlow, and a loop-free count
"""
import tensorflow as tf


def shift_right(x, pixels=1):
    x = tf.convert_to_tensor(x)
    x = tf.cast(x, tf.float32)
    zeros = tf.zeros_like(x[:, :, :pixels, :])
    return tf.concat([zeros, x[:, :, : x.shape[2] - pixels, :]], axis=2)


def pooling_change(pool, x, pixels=1):
    original = tf.cast(x, tf.float32)
    difference = tf.subtract(pool(original), pool(shift_right(original, pixels)))
    return float(tf.reduce_mean(tf.math.abs(difference)))


def fraction_unchanged(pool, x, pixels=1):
    original = tf.cast(x, tf.float32)
    before = tf.reshape(pool(original), [-1])
    after = tf.reshape(pool(shift_right(original, pixels)), [-1])
    return float(tf.math.count_nonzero(tf.equal(before, after))) / float(before.shape[0])

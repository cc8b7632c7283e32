"""
question: q1
must_fail: []
why: tf.roll along the width, then zeros the wrapped-around columns with a mask
"""
import tensorflow as tf


def shift_right(x, pixels=1):
    x = tf.cast(x, tf.float32)
    rolled = tf.roll(x, shift=pixels, axis=2)
    keep = tf.range(tf.shape(x)[2]) >= pixels
    return rolled * tf.reshape(tf.cast(keep, tf.float32), (1, 1, -1, 1))


def pooling_change(pool, x, pixels=1):
    diff = pool(tf.cast(x, tf.float32)) - pool(shift_right(x, pixels))
    return tf.reduce_mean(tf.abs(diff)).numpy().item()


def fraction_unchanged(pool, x, pixels=1):
    before = pool(tf.cast(x, tf.float32))
    after = pool(shift_right(x, pixels))
    equal = tf.reduce_sum(tf.cast(before == after, tf.int32))
    return int(equal) / int(tf.size(before))

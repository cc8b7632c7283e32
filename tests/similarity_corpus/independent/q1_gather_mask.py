"""why: columns gathered from clipped indices, the first ones masked out; a helper computes both pooled outputs"""


def shift_right(x, pixels=1):
    t = tf.convert_to_tensor(x, dtype=tf.float32)
    n = tf.shape(t)[2]
    source = tf.maximum(tf.range(n) - pixels, 0)
    valid = tf.cast(tf.range(n) >= pixels, tf.float32)
    return tf.gather(t, source, axis=2) * valid[None, None, :, None]


def _pooled_pair(pool, x, pixels):
    t = tf.convert_to_tensor(x, dtype=tf.float32)
    return pool(t), pool(shift_right(t, pixels))


def pooling_change(pool, x, pixels=1):
    first, second = _pooled_pair(pool, x, pixels)
    return float(tf.reduce_mean(tf.math.abs(tf.math.subtract(first, second))).numpy())


def fraction_unchanged(pool, x, pixels=1):
    first, second = _pooled_pair(pool, x, pixels)
    same = tf.cast(tf.math.equal(first, second), tf.float32)
    return float(tf.reduce_mean(same).numpy())

"""why: the image taken apart column by column (tf.unstack) and stacked again behind zero columns"""


def shift_right(x, pixels=1):
    images = tf.cast(tf.convert_to_tensor(x), dtype=tf.float32)
    columns = tf.unstack(images, axis=2)
    blank = tf.zeros_like(columns[0])
    shifted = [blank] * min(pixels, len(columns)) + columns[: len(columns) - pixels]
    return tf.stack(shifted, axis=2)


def pooling_change(pool, x, pixels=1):
    images = tf.cast(tf.convert_to_tensor(x), dtype=tf.float32)
    delta = pool(shift_right(images, pixels)) - pool(images)
    total = tf.reduce_sum(tf.abs(delta))
    return float(total) / float(tf.size(delta))


def fraction_unchanged(pool, x, pixels=1):
    images = tf.cast(tf.convert_to_tensor(x), dtype=tf.float32)
    delta = pool(shift_right(images, pixels)) - pool(images)
    unchanged = tf.math.count_nonzero(tf.equal(delta, 0.0))
    return float(unchanged) / float(tf.size(delta))

"""why: Keras layers do the shift (Cropping2D then ZeroPadding2D), results compared with NumPy"""


def shift_right(x, pixels=1):
    x = tf.cast(x, "float32")
    if pixels == 0:
        return x
    cropped = tf.keras.layers.Cropping2D(cropping=((0, 0), (0, pixels)))(x)
    return tf.keras.layers.ZeroPadding2D(padding=((0, 0), (pixels, 0)))(cropped)


def pooling_change(pool, x, pixels=1):
    a = pool(tf.cast(x, "float32")).numpy()
    b = pool(shift_right(x, pixels)).numpy()
    return np.mean(np.abs(a - b)).item()


def fraction_unchanged(pool, x, pixels=1):
    a = pool(tf.cast(x, "float32")).numpy()
    b = pool(shift_right(x, pixels)).numpy()
    return np.count_nonzero(a == b) / a.size

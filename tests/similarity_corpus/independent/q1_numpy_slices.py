"""why: NumPy throughout (a tensor only at the end), a zero array filled by slicing, counts with np.mean of a boolean array"""


def shift_right(x, pixels=1):
    arr = np.asarray(x, dtype=np.float32)
    out = np.zeros_like(arr)
    width = arr.shape[2]
    if pixels < width:
        out[:, :, pixels:, :] = arr[:, :, : width - pixels, :]
    return tf.convert_to_tensor(out)


def pooling_change(pool, x, pixels=1):
    base = np.asarray(pool(np.asarray(x, dtype=np.float32)))
    moved = np.asarray(pool(shift_right(x, pixels)))
    return float(np.abs(base - moved).mean())


def fraction_unchanged(pool, x, pixels=1):
    base = np.asarray(pool(np.asarray(x, dtype=np.float32)))
    moved = np.asarray(pool(shift_right(x, pixels)))
    return float(np.mean(base == moved))

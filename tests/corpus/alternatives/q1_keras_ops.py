"""
question: q1
must_fail: []
why: written with keras.ops (pad + slice) instead of tf
"""
from keras import ops


def shift_right(x, pixels=1):
    x = ops.cast(ops.convert_to_tensor(x), "float32")
    width = ops.shape(x)[2]
    return ops.pad(x[:, :, : width - pixels, :], [[0, 0], [0, 0], [pixels, 0], [0, 0]])


def pooling_change(pool, x, pixels=1):
    x = ops.cast(ops.convert_to_tensor(x), "float32")
    return float(ops.mean(ops.abs(pool(x) - pool(shift_right(x, pixels)))))


def fraction_unchanged(pool, x, pixels=1):
    x = ops.cast(ops.convert_to_tensor(x), "float32")
    same = ops.equal(pool(x), pool(shift_right(x, pixels)))
    return float(ops.mean(ops.cast(same, "float32")))

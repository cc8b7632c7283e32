"""
question: q1
must_fail: [q1_shift_shape_dtype, q1_shift_values, q1_pooling_change, q1_fraction_unchanged, q1_finding]
why: the untouched stubs of the template
"""


def shift_right(x, pixels=1):
    ...


def pooling_change(pool, x, pixels=1):
    ...


def fraction_unchanged(pool, x, pixels=1):
    ...

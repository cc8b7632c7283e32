"""
question: q2
must_fail: [q2_weights_at_construction, q2_weights_tracked, q2_call]
why: the untouched stub of the template
"""
import tensorflow as tf


class LinearWithoutBuild(tf.keras.layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        ...

    def call(self, inputs):
        ...

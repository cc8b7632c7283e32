"""
question: q3
must_fail: [q3_is_custom_layer, q3_output_shapes, q3_weight_counts, q3_numerics_inference, q3_numerics_training]
why: the untouched stub of the template
"""
import tensorflow as tf


class resnetBlock(tf.keras.layers.Layer):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        ...

    def call(self, inputs, training=False):
        ...

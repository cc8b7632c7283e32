"""
question: q2
must_fail: [q2_weights_at_construction, q2_weights_tracked, q2_call]
why: only a kernel, no bias
"""
import tensorflow as tf


class LinearWithoutBuild(tf.keras.layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal", trainable=True)

    def call(self, inputs):
        return tf.matmul(inputs, self.w)

"""
question: q2
must_fail: [q2_weights_at_construction]
why: the weights are still created in build, so they do not exist before the first call
"""
import tensorflow as tf


class LinearWithoutBuild(tf.keras.layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b

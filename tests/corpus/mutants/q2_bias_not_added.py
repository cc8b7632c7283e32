"""
question: q2
must_fail: [q2_call]
why: creates the bias but forgets to add it in call
"""
import tensorflow as tf


class LinearWithoutBuild(tf.keras.layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return tf.matmul(inputs, self.w)

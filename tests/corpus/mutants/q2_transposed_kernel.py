"""
question: q2
must_fail: [q2_weights_at_construction]
why: kernel stored as (units, input_dim) and transposed in call
"""
import tensorflow as tf


class LinearWithoutBuild(tf.keras.layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.w = self.add_weight(shape=(units, input_dim), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return tf.matmul(inputs, self.w, transpose_b=True) + self.b

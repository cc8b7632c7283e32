"""
question: q2
must_fail: []
why: weights made by a helper called from __init__, bias created first, call with tf.tensordot
"""
import tensorflow as tf


class LinearWithoutBuild(tf.keras.layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self._make_weights(input_dim, units)

    def _make_weights(self, input_dim, units):
        self.b = self.add_weight(shape=[units], initializer=tf.zeros_initializer(), trainable=True)
        self.w = self.add_weight(
            shape=[input_dim, units], initializer=tf.random_normal_initializer(), trainable=True
        )

    def call(self, inputs):
        return tf.tensordot(tf.cast(inputs, tf.float32), self.w, axes=1) + self.b

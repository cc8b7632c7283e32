"""
question: q2
must_fail: []
why: keras.layers.Layer with keras.ops.matmul, named weights and other initializers
"""
import keras
from keras import ops


class LinearWithoutBuild(keras.layers.Layer):
    def __init__(self, units=32, input_dim=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, units), initializer="glorot_uniform")
        self.bias = self.add_weight(name="bias", shape=(units,), initializer="ones")

    def call(self, inputs):
        return ops.add(ops.matmul(inputs, self.kernel), self.bias)

"""
question: q3
must_fail: []
why: layers kept in a list, no training argument (Keras passes it down), bias only on the 1x1 shortcut
"""
import tensorflow as tf
from tensorflow.keras import layers


class resnetBlock(layers.Layer):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.out_channels = out_channels
        self.main = [
            layers.Conv2D(out_channels, 3, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.Activation("relu"),
            layers.Conv2D(out_channels, 3, padding="same", use_bias=False),
            layers.BatchNormalization(),
        ]
        self.projection = None

    def build(self, input_shape):
        if input_shape[-1] != self.out_channels:
            self.projection = layers.Conv2D(self.out_channels, 1, use_bias=True)

    def call(self, inputs):
        y = inputs
        for layer in self.main:
            y = layer(y)
        skip = inputs if self.projection is None else self.projection(inputs)
        return tf.nn.relu(y + skip)

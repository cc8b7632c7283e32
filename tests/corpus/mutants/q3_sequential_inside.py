"""
question: q3
must_fail: [q3_is_custom_layer]
why: builds the main path as a keras.Sequential inside the layer
"""
import tensorflow as tf
from tensorflow.keras import layers


class resnetBlock(tf.keras.layers.Layer):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.body = tf.keras.Sequential([
            layers.Conv2D(out_channels, 3, padding="same"),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Conv2D(out_channels, 3, padding="same"),
            layers.BatchNormalization(),
        ])
        self.proj = layers.Conv2D(out_channels, 1)

    def call(self, x, training=False):
        return tf.nn.relu(self.body(x, training=training) + self.proj(x))

"""
question: q3
must_fail: [q3_is_custom_layer]
why: subclasses keras.Model instead of keras.layers.Layer
"""
import tensorflow as tf
from tensorflow.keras import layers


class resnetBlock(tf.keras.Model):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.out_channels = out_channels
        self.conv1 = layers.Conv2D(out_channels, 3, padding="same", use_bias=False)
        self.bn1 = layers.BatchNormalization()
        self.conv2 = layers.Conv2D(out_channels, 3, padding="same", use_bias=False)
        self.bn2 = layers.BatchNormalization()
        self.proj = layers.Conv2D(out_channels, 1, use_bias=False)

    def call(self, x, training=False):
        y = tf.nn.relu(self.bn1(self.conv1(x), training=training))
        y = self.bn2(self.conv2(y), training=training)
        return tf.nn.relu(y + self.proj(x))

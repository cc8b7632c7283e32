"""
question: q3
must_fail: [q3_weight_counts, q3_numerics_inference, q3_numerics_training]
why: the shortcut is never added (so no 1x1 projection when the channel counts differ)
"""
import tensorflow as tf
from tensorflow.keras import layers


class resnetBlock(tf.keras.layers.Layer):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.out_channels = out_channels
        self.conv1 = layers.Conv2D(out_channels, 3, padding="same")
        self.bn1 = layers.BatchNormalization()
        self.conv2 = layers.Conv2D(out_channels, 3, padding="same")
        self.bn2 = layers.BatchNormalization()

    def build(self, input_shape):
        self.shortcut = None
        if input_shape[-1] != self.out_channels:
            self.shortcut = layers.Conv2D(self.out_channels, 1)

    def call(self, x, training=False):
        y = tf.nn.relu(self.bn1(self.conv1(x), training=training))
        y = self.bn2(self.conv2(y), training=training)
        return tf.nn.relu(y)

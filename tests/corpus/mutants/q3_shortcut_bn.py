"""
question: q3
must_fail: [q3_weight_counts, q3_numerics_inference, q3_numerics_training]
why: a BatchNormalization on the projection shortcut (not the figure's block)
"""
import tensorflow as tf
from tensorflow.keras import layers


class resnetBlock(tf.keras.layers.Layer):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.out_channels = out_channels
        self.conv1 = layers.Conv2D(out_channels, 3, padding="same", use_bias=False)
        self.bn1 = layers.BatchNormalization()
        self.conv2 = layers.Conv2D(out_channels, 3, padding="same", use_bias=False)
        self.bn2 = layers.BatchNormalization()
        self.proj = layers.Conv2D(out_channels, 1, use_bias=False)
        self.proj_bn = layers.BatchNormalization()

    def call(self, x, training=False):
        y = tf.nn.relu(self.bn1(self.conv1(x), training=training))
        y = self.bn2(self.conv2(y), training=training)
        if x.shape[-1] != self.out_channels:
            x = self.proj_bn(self.proj(x), training=training)
        return tf.nn.relu(y + x)

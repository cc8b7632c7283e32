"""
question: q3
must_fail: [q3_output_shapes, q3_weight_counts, q3_numerics_inference, q3_numerics_training]
why: identity shortcut even when the channel counts differ (no 1x1 convolution), crashes on the addition
"""
import tensorflow as tf
from tensorflow.keras import layers


class resnetBlock(tf.keras.layers.Layer):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.conv1 = layers.Conv2D(out_channels, 3, padding="same")
        self.bn1 = layers.BatchNormalization()
        self.conv2 = layers.Conv2D(out_channels, 3, padding="same")
        self.bn2 = layers.BatchNormalization()

    def call(self, x, training=False):
        y = tf.nn.relu(self.bn1(self.conv1(x), training=training))
        y = self.bn2(self.conv2(y), training=training)
        return tf.nn.relu(y + x)

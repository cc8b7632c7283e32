"""
question: q3
must_fail: [q3_output_shapes, q3_numerics_inference, q3_numerics_training]
why: 3x3 convolutions with the default "valid" padding shrink the image, so the addition fails
"""
import tensorflow as tf
from tensorflow.keras import layers


class resnetBlock(tf.keras.layers.Layer):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.conv1 = layers.Conv2D(out_channels, 3)
        self.bn1 = layers.BatchNormalization()
        self.conv2 = layers.Conv2D(out_channels, 3)
        self.bn2 = layers.BatchNormalization()
        self.proj = layers.Conv2D(out_channels, 1)

    def call(self, x, training=False):
        y = tf.nn.relu(self.bn1(self.conv1(x), training=training))
        y = self.bn2(self.conv2(y), training=training)
        return tf.nn.relu(y + self.proj(x))

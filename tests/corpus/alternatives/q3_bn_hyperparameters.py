"""
question: q3
must_fail: []
why: BatchNormalization with PyTorch-like epsilon=1e-5 and momentum=0.9, he_normal kernels, tf.add
"""
import tensorflow as tf


class resnetBlock(tf.keras.layers.Layer):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.out_channels = out_channels
        conv = dict(padding="same", use_bias=False, kernel_initializer="he_normal")
        self.conv_a = tf.keras.layers.Conv2D(out_channels, 3, **conv)
        self.norm_a = tf.keras.layers.BatchNormalization(epsilon=1e-5, momentum=0.9)
        self.conv_b = tf.keras.layers.Conv2D(out_channels, 3, **conv)
        self.norm_b = tf.keras.layers.BatchNormalization(epsilon=1e-5, momentum=0.9)
        self.skip = None

    def build(self, input_shape):
        if input_shape[-1] != self.out_channels:
            self.skip = tf.keras.layers.Conv2D(self.out_channels, 1, use_bias=False)

    def call(self, inputs, training=None):
        h = tf.nn.relu(self.norm_a(self.conv_a(inputs), training=training))
        h = self.norm_b(self.conv_b(h), training=training)
        skip = inputs if self.skip is None else self.skip(inputs)
        return tf.nn.relu(tf.add(h, skip))

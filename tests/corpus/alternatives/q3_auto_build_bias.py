"""
question: q3
must_fail: []
why: identity shortcut when channels match; sublayers made in build; conv biases on; Add and ReLU layers
"""
import tensorflow as tf


class resnetBlock(tf.keras.layers.Layer):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.out_channels = out_channels

    def build(self, input_shape):
        self.conv1 = tf.keras.layers.Conv2D(self.out_channels, (3, 3), padding="same")
        self.bn1 = tf.keras.layers.BatchNormalization()
        self.relu1 = tf.keras.layers.ReLU()
        self.conv2 = tf.keras.layers.Conv2D(self.out_channels, (3, 3), padding="same")
        self.bn2 = tf.keras.layers.BatchNormalization()
        if input_shape[-1] != self.out_channels:
            self.shortcut = tf.keras.layers.Conv2D(self.out_channels, (1, 1))
        else:
            self.shortcut = None
        self.add = tf.keras.layers.Add()
        self.relu2 = tf.keras.layers.ReLU()

    def call(self, inputs, training=None):
        y = self.relu1(self.bn1(self.conv1(inputs), training=training))
        y = self.bn2(self.conv2(y), training=training)
        shortcut = inputs if self.shortcut is None else self.shortcut(inputs)
        return self.relu2(self.add([y, shortcut]))

"""
question: q3
must_fail: [q3_is_custom_layer]
why: a Sequential reached through an alias, hidden from Keras' tracking by overriding _flatten_layers
"""
import tensorflow as tf

_S = tf.keras.Sequential


class resnetBlock(tf.keras.layers.Layer):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.out_channels = out_channels
        self.body = {"stack": _S([
            tf.keras.layers.Conv2D(out_channels, 3, padding="same", use_bias=False),
            tf.keras.layers.BatchNormalization(),
            tf.keras.layers.ReLU(),
            tf.keras.layers.Conv2D(out_channels, 3, padding="same", use_bias=False),
            tf.keras.layers.BatchNormalization(),
        ])}
        self.shortcut = None

    def build(self, input_shape):
        if input_shape[-1] != self.out_channels:
            self.shortcut = tf.keras.layers.Conv2D(self.out_channels, 1, use_bias=False)

    def _flatten_layers(self, include_self=True, recursive=True):
        for layer in super()._flatten_layers(include_self=include_self, recursive=recursive):
            if not isinstance(layer, tf.keras.Model):
                yield layer

    def call(self, inputs, training=None):
        x = self.body["stack"](inputs, training=training)
        shortcut = inputs if self.shortcut is None else self.shortcut(inputs)
        return tf.nn.relu(x + shortcut)

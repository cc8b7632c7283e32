"""
question: q3
must_fail: [q3_is_custom_layer]
why: an IPython magic makes the cell invalid Python and the class sits inside an if block, around a Sequential
"""
%autosave 0
import tensorflow as tf

if True:
    class resnetBlock(tf.keras.layers.Layer):
        def __init__(self, out_channels, **kwargs):
            super().__init__(**kwargs)
            self.out_channels = out_channels
            self.stack = getattr(tf.keras, "Sequential")([
                tf.keras.layers.Conv2D(out_channels, 3, padding="same", use_bias=False),
                tf.keras.layers.BatchNormalization(),
                tf.keras.layers.ReLU(),
                tf.keras.layers.Conv2D(out_channels, 3, padding="same", use_bias=False),
                tf.keras.layers.BatchNormalization(),
            ])
            self.project = None

        def build(self, input_shape):
            if input_shape[-1] != self.out_channels:
                self.project = tf.keras.layers.Conv2D(self.out_channels, 1, use_bias=False)

        def call(self, inputs, training=None):
            x = self.stack(inputs, training=training)
            shortcut = inputs if self.project is None else self.project(inputs)
            return tf.nn.relu(x + shortcut)

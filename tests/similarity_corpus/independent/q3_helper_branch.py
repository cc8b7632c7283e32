"""why: the main path in a helper method, shortcut a 1x1 projection only when the channels differ, tf.keras.activations"""


class resnetBlock(tf.keras.layers.Layer):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.out_channels = out_channels
        self.first_conv = tf.keras.layers.Conv2D(self.out_channels, (3, 3), padding="same")
        self.first_norm = tf.keras.layers.BatchNormalization()
        self.second_conv = tf.keras.layers.Conv2D(self.out_channels, (3, 3), padding="same")
        self.second_norm = tf.keras.layers.BatchNormalization()
        self.match = None

    def build(self, input_shape):
        channels = int(input_shape[-1])
        if channels != self.out_channels:
            self.match = tf.keras.layers.Conv2D(self.out_channels, (1, 1))

    def _main_path(self, x, training):
        h = tf.keras.activations.relu(self.first_norm(self.first_conv(x), training=training))
        return self.second_norm(self.second_conv(h), training=training)

    def call(self, inputs, training=None):
        residual = inputs if self.match is None else self.match(inputs)
        return tf.keras.activations.relu(self._main_path(inputs, training) + residual)

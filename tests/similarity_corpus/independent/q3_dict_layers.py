"""why: the layers kept in a dict, the projection decided from a flag computed in build, tf.maximum for ReLU"""


class resnetBlock(tf.keras.layers.Layer):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.out_channels = out_channels
        self.parts = {
            "conv_a": tf.keras.layers.Conv2D(out_channels, 3, padding="same"),
            "bn_a": tf.keras.layers.BatchNormalization(momentum=0.99, epsilon=1e-3),
            "conv_b": tf.keras.layers.Conv2D(out_channels, 3, padding="same"),
            "bn_b": tf.keras.layers.BatchNormalization(momentum=0.99, epsilon=1e-3),
        }
        self.needs_projection = False
        self.projection = None

    def build(self, input_shape):
        self.needs_projection = input_shape[-1] != self.out_channels
        if self.needs_projection:
            self.projection = tf.keras.layers.Conv2D(self.out_channels, 1, padding="valid")

    def call(self, inputs, training=None):
        y = tf.maximum(self.parts["bn_a"](self.parts["conv_a"](inputs), training=training), 0.0)
        y = self.parts["bn_b"](self.parts["conv_b"](y), training=training)
        identity = self.projection(inputs) if self.needs_projection else inputs
        return tf.maximum(y + identity, 0.0)

"""why: tf.keras.layers and tf.keras.ops, identity when the channels match, the shortcut built lazily in call"""


class resnetBlock(tf.keras.layers.Layer):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.out_channels = out_channels
        self.convs = [tf.keras.layers.Conv2D(out_channels, 3, padding="same", use_bias=True) for _ in range(2)]
        self.norms = [tf.keras.layers.BatchNormalization() for _ in range(2)]
        self.skip = None

    def build(self, input_shape):
        if input_shape[-1] != self.out_channels:
            self.skip = tf.keras.layers.Conv2D(self.out_channels, 1, use_bias=True)
        super().build(input_shape)

    def call(self, inputs, training=None):
        h = inputs
        for i, (conv, norm) in enumerate(zip(self.convs, self.norms)):
            h = norm(conv(h), training=training)
            if i == 0:
                h = tf.keras.ops.relu(h)
        shortcut = self.skip(inputs) if self.skip is not None else inputs
        return tf.keras.ops.relu(tf.keras.ops.add(h, shortcut))

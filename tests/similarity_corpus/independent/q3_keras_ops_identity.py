"""why: keras.layers and keras.ops, identity when the channels match, the shortcut built lazily in call"""


class resnetBlock(keras.layers.Layer):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.out_channels = out_channels
        self.convs = [keras.layers.Conv2D(out_channels, 3, padding="same", use_bias=True) for _ in range(2)]
        self.norms = [keras.layers.BatchNormalization() for _ in range(2)]
        self.skip = None

    def build(self, input_shape):
        if input_shape[-1] != self.out_channels:
            self.skip = keras.layers.Conv2D(self.out_channels, 1, use_bias=True)
        super().build(input_shape)

    def call(self, inputs, training=None):
        h = inputs
        for i, (conv, norm) in enumerate(zip(self.convs, self.norms)):
            h = norm(conv(h), training=training)
            if i == 0:
                h = keras.ops.relu(h)
        shortcut = self.skip(inputs) if self.skip is not None else inputs
        return keras.ops.relu(keras.ops.add(h, shortcut))

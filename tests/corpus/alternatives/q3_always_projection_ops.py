"""
question: q3
must_fail: []
why: always a 1x1 projection shortcut (the figure's right block), no conv biases, keras.ops
"""
from keras import layers, ops


class resnetBlock(layers.Layer):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.c1 = layers.Conv2D(out_channels, 3, padding="same", use_bias=False)
        self.b1 = layers.BatchNormalization()
        self.c2 = layers.Conv2D(out_channels, 3, padding="same", use_bias=False)
        self.b2 = layers.BatchNormalization()
        self.c3 = layers.Conv2D(out_channels, 1, use_bias=False)

    def call(self, x, training=False):
        y = ops.relu(self.b1(self.c1(x), training=training))
        y = self.b2(self.c2(y), training=training)
        return ops.relu(ops.add(y, self.c3(x)))

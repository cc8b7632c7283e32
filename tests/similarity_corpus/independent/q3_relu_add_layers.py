"""why: ReLU and Add as layer objects, always a 1x1 projection, every layer made in __init__"""


class resnetBlock(tf.keras.layers.Layer):
    def __init__(self, out_channels, **kwargs):
        super().__init__(**kwargs)
        self.out_channels = out_channels
        self.c1 = tf.keras.layers.Conv2D(out_channels, kernel_size=3, strides=1, padding="same", use_bias=False)
        self.n1 = tf.keras.layers.BatchNormalization()
        self.a1 = tf.keras.layers.ReLU()
        self.c2 = tf.keras.layers.Conv2D(out_channels, kernel_size=3, strides=1, padding="same", use_bias=False)
        self.n2 = tf.keras.layers.BatchNormalization()
        self.proj = tf.keras.layers.Conv2D(out_channels, kernel_size=1, use_bias=False)
        self.merge = tf.keras.layers.Add()
        self.a2 = tf.keras.layers.ReLU()

    def call(self, inputs, training=False):
        out = self.a1(self.n1(self.c1(inputs), training=training))
        out = self.n2(self.c2(out), training=training)
        return self.a2(self.merge([out, self.proj(inputs)]))

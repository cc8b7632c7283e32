"""why: the @ operator, a uniform initializer given by its bounds, list shapes"""


class LinearWithoutBuild(tf.keras.layers.Layer):
    def __init__(self, units=32, input_dim=32, **kwargs):
        super().__init__(**kwargs)
        limit = 1.0 / input_dim ** 0.5
        self.W = self.add_weight(
            shape=[input_dim, units],
            initializer=tf.keras.initializers.RandomUniform(minval=-limit, maxval=limit),
            trainable=True,
        )
        self.B = self.add_weight(shape=[units], initializer="zeros", trainable=True)

    def call(self, inputs):
        return inputs @ self.W + self.B

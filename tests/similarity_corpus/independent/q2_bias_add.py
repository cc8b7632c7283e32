"""why: positional add_weight, tf.nn.bias_add over tf.linalg.matmul, the sizes kept for get_config"""


class LinearWithoutBuild(tf.keras.layers.Layer):
    def __init__(self, units=32, input_dim=32, **kwargs):
        super().__init__(**kwargs)
        self.units, self.input_dim = units, input_dim
        self.kernel = self.add_weight((input_dim, units), "random_normal")
        self.bias = self.add_weight((units,), "zeros")

    def call(self, inputs):
        x = tf.cast(inputs, self.kernel.dtype)
        return tf.nn.bias_add(tf.linalg.matmul(x, self.kernel), self.bias)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "input_dim": self.input_dim}

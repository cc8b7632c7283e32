"""why: the weights made in a loop over a table of (name, shape, initializer), call with tf.keras.ops.dot"""


class LinearWithoutBuild(tf.keras.layers.Layer):
    def __init__(self, units=32, input_dim=32, **kwargs):
        super().__init__(**kwargs)
        made = {}
        for label, shape, init in (("kernel", (input_dim, units), "he_normal"), ("bias", (units,), "zeros")):
            made[label] = self.add_weight(name=label, shape=shape, initializer=init)
        self.kernel, self.bias = made["kernel"], made["bias"]

    def call(self, inputs):
        return tf.keras.ops.dot(inputs, self.kernel) + self.bias

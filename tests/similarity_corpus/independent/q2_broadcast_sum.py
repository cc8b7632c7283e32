"""why: the product written as a broadcast multiply and a sum over the input axis"""


class LinearWithoutBuild(tf.keras.layers.Layer):
    def __init__(self, units=32, input_dim=32, **kwargs):
        super().__init__(**kwargs)
        self.w = self.add_weight(shape=(input_dim, units), initializer="glorot_normal", trainable=True, name="w")
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True, name="b")

    def call(self, inputs):
        expanded = tf.expand_dims(inputs, axis=-1)
        return tf.reduce_sum(expanded * self.w, axis=-2) + self.b

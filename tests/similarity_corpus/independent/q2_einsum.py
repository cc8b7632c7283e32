"""why: initializer objects, weights named by their role, call with tf.einsum"""


class LinearWithoutBuild(tf.keras.layers.Layer):
    def __init__(self, units=32, input_dim=32, **kwargs):
        super().__init__(**kwargs)
        init_w = tf.keras.initializers.GlorotNormal()
        init_b = tf.keras.initializers.Zeros()
        self.weight_matrix = self.add_weight(shape=(input_dim, units), initializer=init_w, name="w")
        self.offset = self.add_weight(shape=(units,), initializer=init_b, name="b")

    def call(self, inputs):
        return tf.einsum("bi,io->bo", inputs, self.weight_matrix) + self.offset

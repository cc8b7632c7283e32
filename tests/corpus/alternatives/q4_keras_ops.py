"""
question: q4
must_fail: []
why: keras.ops for the loss, tf.add_n over model.losses, .numpy().item() for the float
"""
import keras
import tensorflow as tf
from keras import ops


class ActivityL1(keras.layers.Layer):
    def __init__(self, rate=1e-2, **kwargs):
        super().__init__(**kwargs)
        self.rate = float(rate)

    def call(self, inputs):
        self.add_loss(ops.multiply(self.rate, ops.sum(ops.absolute(inputs))))
        return inputs


def train_step(model, optimizer, loss_fn, x, y):
    with tf.GradientTape() as tape:
        predictions = model(x, training=True)
        total = loss_fn(y, predictions)
        if model.losses:
            total = total + tf.add_n(model.losses)
    variables = model.trainable_variables
    optimizer.apply_gradients(zip(tape.gradient(total, variables), variables))
    return total.numpy().item()

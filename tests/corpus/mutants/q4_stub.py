"""
question: q4
must_fail: [q4_activity_identity, q4_activity_loss, q4_losses_reset, q4_train_step_value, q4_train_step_update]
why: the untouched stubs of the template
"""
import tensorflow as tf


class ActivityL1(tf.keras.layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        ...

    def call(self, inputs):
        ...


def train_step(model, optimizer, loss_fn, x, y):
    ...

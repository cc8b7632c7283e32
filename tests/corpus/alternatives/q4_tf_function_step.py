"""
question: q4
must_fail: []
why: train_step compiled with @tf.function (the notebook's training loop builds the model and optimizer first)
"""
import tensorflow as tf


class ActivityL1(tf.keras.layers.Layer):
    def __init__(self, rate=1e-2, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * tf.reduce_sum(tf.abs(inputs)))
        return inputs


@tf.function
def _step(model, optimizer, loss_fn, x, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True)) + tf.add_n([tf.zeros(())] + list(model.losses))
    gradients = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(gradients, model.trainable_weights))
    return loss


def train_step(model, optimizer, loss_fn, x, y):
    return float(_step(model, optimizer, loss_fn, x, y))

"""
question: q4
must_fail: []
why: tf.reduce_sum/tf.abs loss, tf.identity output, Keras 3 optimizer.apply, float(loss.numpy())
"""
import tensorflow as tf


class ActivityL1(tf.keras.layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(tf.reduce_sum(tf.abs(inputs)) * self.rate)
        return tf.identity(inputs)


def train_step(model, optimizer, loss_fn, x, y):
    with tf.GradientTape() as tape:
        data_loss = loss_fn(y, model(x, training=True))
        regularization = tf.reduce_sum(model.losses) if model.losses else 0.0
        loss = data_loss + regularization
    gradients = tape.gradient(loss, model.trainable_weights)
    optimizer.apply(gradients, model.trainable_weights)
    return float(loss.numpy())

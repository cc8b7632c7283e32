"""
question: q4
must_fail: [q4_losses_reset]
why: keeps its own list of losses and adds their sum, so losses accumulate across calls
"""
import tensorflow as tf


class ActivityL1(tf.keras.layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate
        self.history = []

    def call(self, inputs):
        self.history.append(self.rate * tf.reduce_sum(tf.abs(inputs)))
        self.add_loss(sum(self.history[-2:]) if len(self.history) > 1 else self.history[-1])
        return inputs


def train_step(model, optimizer, loss_fn, x, y):
    with tf.GradientTape() as tape:
        logits = model(x, training=True)
        loss = loss_fn(y, logits) + tf.add_n(model.losses)
    grads = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
    return float(loss)


"""reference.resnet (q3): the contract of resnetBlock and its numerics."""

import keras
import numpy as np
import pytest

from reference import resnetBlock

BN_EPSILON = 1e-3  # Keras' BatchNormalization default.

# (c_in, out_channels, projection, use_bias)
CONFIGS = [
    (4, 4, "auto", False),
    (4, 4, "auto", True),
    (3, 5, "auto", False),
    (3, 5, "auto", True),
    (4, 4, "always", False),
    (2, 6, "always", True),
]


def expected_weight_shapes(c_in, out, projection, use_bias):
    """Shapes of the trainable and non-trainable weights, sorted."""
    trainable = [(3, 3, c_in, out), (3, 3, out, out)] + [(out,)] * 4  # BN gamma/beta
    if use_bias:
        trainable += [(out,)] * 2
    if projection == "always" or c_in != out:
        trainable.append((1, 1, c_in, out))
        if use_bias:
            trainable.append((out,))
    return sorted(trainable), [(out,)] * 4  # BN moving mean/variance x2


def shapes(weights):
    return sorted(tuple(w.shape) for w in weights)


@pytest.mark.parametrize(("c_in", "out", "projection", "use_bias"), CONFIGS)
def test_weights_exist_after_build(c_in, out, projection, use_bias):
    block = resnetBlock(out, projection=projection, use_bias=use_bias)
    block.build((None, 6, 6, c_in))
    trainable, non_trainable = expected_weight_shapes(c_in, out, projection, use_bias)
    assert shapes(block.trainable_weights) == trainable
    assert shapes(block.non_trainable_weights) == non_trainable


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize(("batch", "height", "width"), [(1, 5, 5), (3, 4, 7)])
@pytest.mark.parametrize(("c_in", "out", "projection", "use_bias"), CONFIGS)
def test_call_shapes_and_weight_counts(c_in, out, projection, use_bias, batch, height, width, training):
    block = resnetBlock(out, projection=projection, use_bias=use_bias)
    x = np.random.default_rng(0).normal(size=(batch, height, width, c_in))
    y = block(x.astype(np.float32), training=training)
    assert tuple(y.shape) == (batch, height, width, out)
    trainable, non_trainable = expected_weight_shapes(c_in, out, projection, use_bias)
    assert shapes(block.trainable_weights) == trainable
    assert shapes(block.non_trainable_weights) == non_trainable


def test_is_a_plain_layer_without_models_inside():
    block = resnetBlock(4)
    block(np.ones((1, 3, 3, 2), dtype=np.float32))
    assert isinstance(block, keras.layers.Layer)
    assert not isinstance(block, keras.Model)
    sublayers = block._flatten_layers(include_self=False)
    assert not any(isinstance(layer, keras.Model) for layer in sublayers)


def test_symbolic_input_of_unknown_size():
    outputs = resnetBlock(8)(keras.Input((None, None, 3)))
    assert tuple(outputs.shape) == (None, None, None, 8)


def np_conv_same(x, kernel, bias):
    kh, kw = kernel.shape[:2]
    _, height, width, _ = x.shape
    padded = np.pad(x, [(0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)])
    out = np.zeros((*x.shape[:3], kernel.shape[3]))
    for i in range(kh):
        for j in range(kw):
            patch = padded[:, i : i + height, j : j + width, :]
            out += np.einsum("bhwc,co->bhwo", patch, kernel[i, j])
    return out if bias is None else out + bias


def np_batch_norm(x, bn, training):
    if training:
        mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    else:
        mean, var = bn.moving_mean.numpy(), bn.moving_variance.numpy()
    normalized = (x - mean) / np.sqrt(var + BN_EPSILON)
    return normalized * bn.gamma.numpy() + bn.beta.numpy()


def np_resnet_block(x, block, training):
    def conv(layer, inputs):
        bias = layer.bias.numpy() if layer.use_bias else None
        return np_conv_same(inputs, layer.kernel.numpy(), bias)

    h = np.maximum(np_batch_norm(conv(block.conv1, x), block.bn1, training), 0)
    h = np_batch_norm(conv(block.conv2, h), block.bn2, training)
    shortcut = x if block.shortcut is None else conv(block.shortcut, x)
    return np.maximum(h + shortcut, 0)


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize(
    ("c_in", "out", "projection", "use_bias"),
    [(3, 3, "auto", False), (2, 4, "auto", True), (3, 3, "always", True)],
)
def test_matches_numpy(c_in, out, projection, use_bias, training):
    rng = np.random.default_rng(0)
    block = resnetBlock(out, projection=projection, use_bias=use_bias)
    block.build((None, 4, 5, c_in))
    for weight in block.weights:  # make every weight (and BN statistic) matter
        values = rng.normal(size=weight.shape)
        if "variance" in weight.name:
            values = rng.uniform(0.5, 2.0, size=weight.shape)
        weight.assign(values.astype(np.float32))
    x = rng.normal(size=(2, 4, 5, c_in)).astype(np.float32)
    expected = np_resnet_block(x.astype(np.float64), block, training)
    y = block(x, training=training)
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"out_channels": 4},
        {"out_channels": 6, "projection": "always", "use_bias": True},
    ],
)
def test_get_config_round_trips(kwargs):
    block = resnetBlock(name="block", **kwargs)
    config = block.get_config()
    assert {key: config[key] for key in kwargs} == kwargs
    clone = resnetBlock.from_config(config)
    assert clone.get_config() == config
    block.build((None, 5, 5, 3))
    clone.build((None, 5, 5, 3))
    assert shapes(clone.weights) == shapes(block.weights)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"out_channels": 0}, ValueError, r"Expected `out_channels` > 0"),
        ({"out_channels": 4, "projection": "never"}, ValueError, "`projection`"),
        ({"out_channels": 2.0}, TypeError, "`out_channels`"),
        ({"out_channels": 4, "use_bias": "yes"}, TypeError, "`use_bias`"),
    ],
)
def test_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        resnetBlock(**kwargs)

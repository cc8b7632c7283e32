"""Eager VarHandleOp calls share one kernel: Keras variables keep their names, values and graphs."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from tensorflow.python.ops import gen_resource_variable_ops  # noqa: E402

from autograder.execution.tensorflow_kernels import share_variable_handle_kernels  # noqa: E402


@pytest.fixture
def spied(monkeypatch):
    """The debug_name of every VarHandleOp that reaches TensorFlow (the original op is put back after the test)."""
    seen: list[str] = []
    original = gen_resource_variable_ops.var_handle_op

    def spy(*args, **kwargs):
        seen.append(kwargs.get("debug_name"))
        return original(*args, **kwargs)

    monkeypatch.setattr(gen_resource_variable_ops, "var_handle_op", spy)
    return seen


@pytest.fixture
def calls(spied):
    """``spied``, with the patch installed over the spy."""
    assert share_variable_handle_kernels()
    return spied


def test_eager_variables_pass_no_debug_name(calls):
    keras.layers.Dense(3)(np.ones((2, 4), np.float32))
    assert calls == ["", ""]


def test_keras_variables_keep_their_names_and_own_values(calls):
    layer = keras.layers.Dense(3, name="probe_dense")
    layer(np.ones((2, 4), np.float32))
    assert [v.path for v in layer.weights] == ["probe_dense/kernel", "probe_dense/bias"]
    a, b = keras.Variable(np.zeros(2, np.float32)), keras.Variable(np.zeros(2, np.float32))
    a.assign([1.0, 2.0])
    np.testing.assert_array_equal(b.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(a.numpy(), [1.0, 2.0])


def test_graph_mode_keeps_the_name(calls):
    @tf.function
    def make():
        return gen_resource_variable_ops.var_handle_op(dtype=tf.float32, shape=[2], debug_name="traced")

    make.get_concrete_function()
    assert calls == ["traced"]


def test_patching_twice_wraps_once(calls):
    patched = gen_resource_variable_ops.var_handle_op
    assert share_variable_handle_kernels()
    assert gen_resource_variable_ops.var_handle_op is patched
    keras.Variable(np.zeros(2, np.float32))
    assert calls == [""]


def test_the_warm_worker_patches_before_it_forks(spied):
    from autograder.sandbox.zygote import warm_up

    keras.Variable(np.zeros(2, np.float32))
    warm_up()
    keras.Variable(np.zeros(2, np.float32))
    assert spied[0] != "" and spied[1:] == [""]

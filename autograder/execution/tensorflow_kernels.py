"""One eager kernel per op for every Keras variable, instead of one per variable.

TensorFlow keeps a cache of eager kernels keyed by the op and *all* its attributes. A
``tf.Variable`` is created by a ``VarHandleOp`` whose ``debug_name`` attribute is the
variable's name; plain ``tf.Variable`` passes a constant one (``"Variable"``) and hits the
cache, but Keras names every variable uniquely (``kernel``, ``kernel_1``, ... under the layer's
path), so every Keras variable misses it and instantiates a new kernel: about 0.7 ms each,
measured, where a cached one costs 0.02 ms. A graded notebook creates more than a hundred
(each residual block alone has a dozen), all in a fresh process whose cache starts empty.

:func:`share_variable_handle_kernels` makes eager ``VarHandleOp`` calls pass an empty
``debug_name``, as TensorFlow's own default does. The name only ever labelled the resource
for debugging: the variable's ``name`` and ``path`` are kept on the Python side, the handle
stays anonymous and unshared (``shared_name`` is untouched), and graph-mode code (a traced
``tf.function``) is not affected. No TensorFlow op runs here, so the warm worker may call it
before it forks.
"""

from __future__ import annotations

import functools
from typing import Any

_MARK = "_autograder_shares_kernels"


def share_variable_handle_kernels() -> bool:
    """Patch ``gen_resource_variable_ops.var_handle_op`` (once). Returns whether it is patched."""
    from tensorflow.python.eager import context
    from tensorflow.python.ops import gen_resource_variable_ops

    original = gen_resource_variable_ops.var_handle_op
    if getattr(original, _MARK, False):
        return True

    @functools.wraps(original)
    def var_handle_op(*args: Any, **kwargs: Any) -> Any:
        if "debug_name" in kwargs and context.executing_eagerly():
            kwargs["debug_name"] = ""
        return original(*args, **kwargs)

    setattr(var_handle_op, _MARK, True)
    gen_resource_variable_ops.var_handle_op = var_handle_op
    return True

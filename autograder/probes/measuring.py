"""Helpers shared by the question modules: seeded inputs, safe measuring, tolerant judging.

Two halves live here. The probe half (``seeded_*``, ``callable_answer``, ``not_none``,
``measure``, ``assign``) runs in the student's process and only ever produces plain data.
The judge half (``judge_configs``, ``allclose``, ``shape_text``) runs in the grader and
compares a student's measurement with the reference measurements. Nothing here holds an
expected value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from autograder.probes.base import MissingNameError, Namespace, ProbeFailure, require

ERROR_LIMIT = 240
"""Characters kept of a student exception's message in a measurement."""


class ProbeConfigError(Exception):
    """A probe's own student-facing explanation of why one configuration could not be measured."""


def seeded_uniform(seed: int, shape: Sequence[int], low: float = -1.0, high: float = 1.0) -> np.ndarray:
    """Float32 values drawn uniformly from ``[low, high)`` with a fixed seed (many decimals)."""
    return np.random.default_rng(seed).uniform(low, high, size=tuple(shape)).astype(np.float32)


def seeded_normal(seed: int, shape: Sequence[int], scale: float = 1.0) -> np.ndarray:
    """Float32 normal values with standard deviation ``scale`` and a fixed seed."""
    return (np.random.default_rng(seed).standard_normal(size=tuple(shape)) * scale).astype(np.float32)


def seeded_integers(seed: int, shape: Sequence[int], high: int) -> np.ndarray:
    """Int64 values in ``[0, high)`` with a fixed seed."""
    return np.random.default_rng(seed).integers(0, high, size=tuple(shape)).astype(np.int64)


def reseed(seed: int) -> None:
    """Seed Python, NumPy and Keras as ``keras.utils.set_random_seed`` does, at a fraction of its cost.

    Keras initializers and layers draw their seeds from Python's ``random`` and the global
    ``SeedGenerator``, so those are reset every time. TensorFlow's own global seed is set once,
    when nothing has set it yet: ``tf.random.set_seed`` empties TensorFlow's kernel cache, and
    every op after it pays its kernel's set-up again (a third of the probes' time when it ran
    per block). Op-level TensorFlow randomness (``tf.random.normal`` in student code) stays
    deterministic for a given notebook; what the checks compare never depends on it.
    """
    import random

    import keras
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator
    from keras.src.utils import rng_utils
    from tensorflow.python.eager import context

    global_state.set_global_attribute(rng_utils.GLOBAL_RANDOM_SEED, seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    random.seed(seed)
    np.random.seed(seed)
    if context.global_seed() is None:
        keras.utils.set_random_seed(seed)


_SHARED: dict[tuple[Any, ...], tuple[Any, Any]] = {}
"""Objects several probes measure, made once per process: key -> (owner, object)."""


def shared(owner: Any, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
    """The object ``make()`` returned for ``owner`` and ``key`` earlier in this process, or a new one.

    Probes of different checks that need the same student object in the same state (a block
    of one configuration, the outcome of one train step) share it instead of building it
    again: building is where the time goes. Only what was made without an exception is kept;
    a probe whose measurement fails calls :func:`forget`, so later checks get a fresh object.

    Args:
        owner: the student's class or function the object comes from (compared by identity).
        key: the configuration.
        make: builds the object.
    """
    full = (id(owner), *key)
    hit = _SHARED.get(full)
    if hit is not None and hit[0] is owner:
        return hit[1]
    value = make()
    _SHARED[full] = (owner, value)
    return value


def forget(owner: Any, key: tuple[Any, ...]) -> None:
    """Drop the shared object of ``owner`` and ``key`` (after a failed measurement)."""
    _SHARED.pop((id(owner), *key), None)


def callable_answer(namespace: Namespace, name: str) -> Any:
    """The student's object called ``name``, checked to be more than the ``...`` stub.

    Raises:
        MissingNameError: if the notebook never defines it.
        ProbeFailure: if it is still ``...`` or not callable.
    """
    value = require(namespace, name)
    if value is Ellipsis:
        raise ProbeFailure(f"`{name}` is still `...`: replace the stub with your answer and run the cell.")
    if not callable(value):
        raise ProbeFailure(
            f"`{name}` is a {type(value).__name__}, not a function or class: define it with `def` or `class`."
        )
    return value


def not_none(value: Any, what: str) -> Any:
    """Return ``value``, or raise a teaching ``ProbeFailure`` when it is ``None`` (an untouched stub)."""
    if value is None:
        raise ProbeFailure(
            f"{what} returned None: it is still the stub `...`, or a `return` is missing on some path. "
            "Finish the answer cell and run it again."
        )
    return value


_KERAS_WRAPPER = "Exception encountered when calling"
_KERAS_ARGUMENTS = "Arguments received by"
_TF_FUNCTION_NODE = re.compile(r"\{\{function_node [^}]*\}\}\s*")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def error_text(exc: BaseException) -> str:
    """``"TypeError: first line of the message"``, capped, for a measurement.

    Keras wraps errors raised inside ``call`` in "Exception encountered when calling ...",
    followed by the original message and the call's arguments; the original message is kept.
    """
    first = ""
    for line in str(exc).strip().splitlines():
        line = _TF_FUNCTION_NODE.sub("", _ANSI.sub("", line)).strip()
        if line.startswith(_KERAS_ARGUMENTS):
            break
        if line and not line.startswith(_KERAS_WRAPPER):
            first = line
            break
    first = first.removesuffix("name:").strip()
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return text[:ERROR_LIMIT]


def measure(label: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Measure one configuration; its exception becomes data instead of ending the probe.

    ``ProbeFailure`` (the stub) and ``MissingNameError`` still end the probe: the whole answer
    is missing.

    Returns:
        ``{"label", "ok": True, **fn()}`` or ``{"label", "ok": False, "error": text}``;
        ``problem`` is true when the error is the probe's own explanation (``ProbeConfigError``).
    """
    try:
        return {"label": label, "ok": True, **fn()}
    except (ProbeFailure, MissingNameError):
        raise
    except ProbeConfigError as exc:
        return {"label": label, "ok": False, "error": str(exc)[: ERROR_LIMIT * 2], "problem": True}
    except Exception as exc:  # student code may raise anything
        return {"label": label, "ok": False, "error": error_text(exc)}


def to_float32(value: Any, what: str) -> np.ndarray:
    """A student's result as a float32 array (``ProbeFailure`` for ``None``)."""
    not_none(value, what)
    arr = np.asarray(value)
    if arr.dtype == object:
        raise ProbeConfigError(f"{what} returned a {type(value).__name__} that is not an array of numbers.")
    return arr.astype(np.float32)


def to_scalar(value: Any, what: str) -> float:
    """A student's result as one Python float (``ProbeFailure`` for ``None``)."""
    arr = to_float32(value, what)
    if arr.size != 1:
        raise ProbeConfigError(f"{what} returned an array of shape {tuple(arr.shape)}, not one number.")
    return float(arr.reshape(()))


def numpy_dtype(dtype: Any) -> np.dtype:
    """A variable's dtype (``"float32"``, ``tf.float64``) as a NumPy dtype."""
    return np.dtype(getattr(dtype, "as_numpy_dtype", dtype))


def assign(variable: Any, value: np.ndarray) -> None:
    """Assign ``value`` to a Keras or TensorFlow variable, in the variable's own dtype."""
    variable.assign(np.asarray(value, dtype=numpy_dtype(variable.dtype)))


def shape_of(value: Any) -> list[int]:
    """Static shape of an array, tensor or variable as a list of ints."""
    return [int(d) for d in tuple(value.shape)]


def sorted_shapes(variables: Iterable[Any]) -> list[list[int]]:
    """Shapes of variables, sorted so that creation order does not matter."""
    return sorted(shape_of(v) for v in variables)


def shape_text(shape: Any) -> str:
    """``(2, 5, 5, 3)`` from a list of ints."""
    dims = list(shape) if isinstance(shape, (list, tuple)) else [shape]
    return "(" + ", ".join(str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"

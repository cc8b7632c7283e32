"""The reference package: its public names and its runnable docstrings."""

import doctest

import keras
import numpy as np
import pytest
import tensorflow as tf

import reference
from reference import layers, pooling, resnet, training

CONTRACT_NAMES = {
    "shift_right",
    "pooling_change",
    "fraction_unchanged",
    "Linear",
    "LinearWithoutBuild",
    "ActivityL1",
    "resnetBlock",
    "train_step",
}


def test_exports_the_contract_names():
    assert set(reference.__all__) == CONTRACT_NAMES
    assert all(hasattr(reference, name) for name in CONTRACT_NAMES)


@pytest.mark.parametrize("module", [pooling, layers, resnet, training])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, extraglobs={"np": np, "keras": keras, "tf": tf}, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0

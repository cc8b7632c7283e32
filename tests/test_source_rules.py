"""q3's rule on the source: resnetBlock is a Layer and builds no model inside, wherever the names come from."""

from __future__ import annotations

import pytest

from autograder.checks.source_rules import MODEL_INSIDE, NOT_A_LAYER, python_source, resnet_block_rule

LAYER = (
    "class resnetBlock(tf.keras.layers.Layer):\n"
    "    def __init__(self, out_channels):\n"
    "        super().__init__()\n"
    "        self.inner = {body}\n"
)


@pytest.mark.parametrize(
    ("cells", "why"),
    [
        ([LAYER.format(body="tf.keras.layers.Conv2D(out_channels, 3)")], None),
        ([LAYER.format(body="tf.keras.Sequential([])")], MODEL_INSIDE),
        (["from keras import Sequential as S", "x = 1", LAYER.format(body="S([])")], MODEL_INSIDE),
        (["def make():\n    return keras.Sequential([])", LAYER.format(body="make()")], MODEL_INSIDE),
        (["Base = keras.Model", "class resnetBlock(Base):\n    pass"], NOT_A_LAYER),
        (["%matplotlib inline\n" + LAYER.format(body="keras.Sequential([])")], MODEL_INSIDE),
        (["print('no block here')"], None),
    ],
)
def test_the_rule_reads_every_cell_for_names_and_the_block_for_its_body(cells, why):
    assert resnet_block_rule(cells) == why
    assert resnet_block_rule(cells) == why  # the same answer once the cells' forms are remembered


def test_ipython_syntax_becomes_python_and_is_remembered():
    source = "%time x = 1\n!ls"
    assert python_source(source) is python_source(source)
    assert "get_ipython()" in python_source(source)

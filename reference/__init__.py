"""Reference answers for "Pooling, Normalizations, and Custom Layers".

The names below are the ones the student notebook asks for (its answer cells and the
README's question table); the grader compares student answers with these implementations.
"""

from reference.layers import ActivityL1, Linear, LinearWithoutBuild
from reference.pooling import fraction_unchanged, pooling_change, shift_right
from reference.resnet import resnetBlock
from reference.training import train_step

__all__ = [
    "ActivityL1",
    "Linear",
    "LinearWithoutBuild",
    "fraction_unchanged",
    "pooling_change",
    "resnetBlock",
    "shift_right",
    "train_step",
]

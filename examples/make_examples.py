"""Regenerate the example submissions from the student template and the master's solutions.

    python examples/make_examples.py

- ``full.ipynb``: every answer correct, written answers filled in.
- ``partial.ipynb``: q1 right; q2 keeps raw ``tf.Variable`` weights (untracked in Keras 3);
  q3 puts batch norm after the ReLU; q4's ``train_step`` ignores ``model.losses``.
- ``untouched.ipynb``: the template as distributed.
- ``raises.ipynb``: correct answers, but a demo cell raises and q4's answer cell raises
  before defining anything.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from helpers import build_submission, solution_answers, write_submission  # noqa: E402

WRITTEN = {
    "q1": (
        "Average pooling gives much less local translation invariance than max pooling. On a random "
        "input, a one-pixel shift left about half of the 2x2 max-pooled outputs unchanged but almost "
        "none of the average-pooled ones: every value in the window contributes to the mean, so "
        "moving one column in or out changes it, while the max only changes when the maximum leaves "
        "the window. The mean absolute change is still small, so average pooling is smoother, not invariant."
    ),
    "q2": (
        "Without `build`, the weights are created in `__init__`, so the input size must be given up "
        "front (`input_dim`). A layer made for inputs of width 2 fails on inputs of width 5 because "
        "its kernel has the wrong shape; with `build` the kernel is created from the first input's shape."
    ),
}

Q2_RAW_VARIABLES = '''class LinearWithoutBuild(tf.keras.layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.w = tf.Variable(tf.random.normal((input_dim, units)), trainable=True)
        self.b = tf.Variable(tf.zeros((units,)), trainable=True)

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b
'''


def partial_answers(solutions: dict[str, str]) -> dict[str, str]:
    """Instructive mistakes on q2, q3 and q4 (q1 stays right)."""
    q3 = solutions["q3"].replace(
        "x = self.bn1(x, training=training)\n        x = tf.nn.relu(x)",
        "x = tf.nn.relu(x)\n        x = self.bn1(x, training=training)",
    )
    assert q3 != solutions["q3"], "q3 solution changed shape: update partial_answers"
    q4 = solutions["q4"].replace("+ sum(model.losses)", "")
    assert q4 != solutions["q4"], "q4 solution changed shape: update partial_answers"
    return {"q1": solutions["q1"], "q2": Q2_RAW_VARIABLES, "q3": q3, "q4": q4}


def main() -> None:
    """Write the four examples next to this script."""
    solutions = solution_answers()
    write_submission(HERE / "full.ipynb", build_submission(solutions, written=WRITTEN))
    write_submission(HERE / "partial.ipynb", build_submission(partial_answers(solutions), written=WRITTEN))
    write_submission(HERE / "untouched.ipynb", build_submission({}))
    raising = dict(solutions)
    raising["q4"] = "raise NotImplementedError('I will finish q4 later')\n" + solutions["q4"]
    write_submission(
        HERE / "raises.ipynb",
        build_submission(raising, written={"q1": WRITTEN["q1"]}, extra_cells=["print(undefined_variable)"]),
    )


if __name__ == "__main__":
    main()

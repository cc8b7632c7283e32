"""Why the warm worker runs no TensorFlow op before it forks: what hangs in a child that does.

    .venv/bin/python benchmarks/fork_after_op.py [--alarm 10]

For each inter-op pool setting (1 thread, and -1, "the caller's thread"), a fresh process runs
one eager op and one ``tf.function`` (as a pre-fork warm-up would), then forks one child per
case. Each child runs its case under an alarm and reports ``ok`` with its seconds, or ``hung``.
On TensorFlow 2.21 the eager context's thread pools do not survive ``fork``: ``tf.function``,
``tf.while_loop`` and ``model.fit`` hang, plain eager ops run. So each submission pays its own
first calls, and ``docs/DESIGN.md`` counts them in the floor of a submission's time.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

CASES = {
    "eager matmul 512x512": "tf.matmul(tf.ones((512, 512)), tf.ones((512, 512))).numpy()",
    "Conv2D layer": "keras.layers.Conv2D(8, 3)(np.ones((4, 32, 32, 3), np.float32)).numpy()",
    "tf.data map+batch": "[b for b in tf.data.Dataset.range(100).map(lambda v: v * 2).batch(10)]",
    "tf.map_fn": "tf.map_fn(lambda r: r * 2, tf.ones((10, 3))).numpy()",
    "tf.function": "tf.function(lambda a: tf.nn.relu(a) * 2)(tf.ones((64, 64))).numpy()",
    "tf.while_loop in tf.function": (
        "tf.function(lambda n: tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + i), (0, 0)))(tf.constant(9))"
    ),
    "model.fit": (
        "m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)]); m.compile('sgd', 'mse'); "
        "m.fit(np.ones((32, 4)), np.ones((32, 1)), epochs=1, verbose=0)"
    ),
}


def child_run(inter: int, alarm: int) -> None:
    """Warm up as a pre-fork op would, then fork one child per case and print what happened."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    import keras
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_inter_op_parallelism_threads(inter)
    tf.config.threading.set_intra_op_parallelism_threads(1)
    x = tf.ones((2, 2))
    tf.matmul(x, x).numpy()
    tf.function(lambda a: a * 2)(x).numpy()
    for name, code in CASES.items():
        pid = os.fork()
        if pid == 0:
            signal.alarm(alarm)
            start = time.perf_counter()
            exec(code, {"tf": tf, "keras": keras, "np": np})
            os.write(1, f"  {name:32s} ok ({time.perf_counter() - start:.3f} s)\n".encode())
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        if status:
            print(f"  {name:32s} hung (killed by its {alarm} s alarm)" if os.WTERMSIG(status) == signal.SIGALRM
                  else f"  {name:32s} failed (status {status})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alarm", type=int, default=10)
    parser.add_argument("--inter", type=int, help=argparse.SUPPRESS)  # one setting, in a fresh process
    args = parser.parse_args()
    if args.inter is not None:
        child_run(args.inter, args.alarm)
        return
    for inter in (1, -1):
        print(f"inter-op threads {inter}, an op and a tf.function run before the fork:", flush=True)
        subprocess.run([sys.executable, __file__, "--inter", str(inter), "--alarm", str(args.alarm)],
                       check=True, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    main()

"""The adversarial corpus: attacks a student could put in a notebook, and what must happen.

Each attack is a code cell added to a submission. ``answers`` says which answers the
submission carries: ``"stub"`` (untouched template, baseline score 0: any point earned
would be forged) or ``"full"`` (the master's solutions: the attack must not push the score
above full, must not crash the batch and must leave nothing behind).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat
from helpers import ROOT, build_submission

PORT_PLACEHOLDER = "__PORT__"
SECRET_NAME = "AUTOGRADER_TEST_SECRET"
SECRET_VALUE = "s3cr3t-token-do-not-leak-4711"
ORPHAN_SLEEP = "600.0417"
"""How long the orphaned ``sleep`` of an attack sleeps: a value nothing else on the machine uses,
so the test that it was killed cannot mistake someone's ``sleep 600`` for it."""


@dataclass(frozen=True)
class Attack:
    """One adversarial submission.

    Attributes:
        name: short id (file name of the submission).
        answers: "stub" or "full" (see module docstring).
        cell: the attack's code.
        statuses: acceptable statuses of the result.
        prepend: run the attack before the answers instead of after them.
    """

    name: str
    answers: str
    cell: str
    statuses: tuple[str, ...] = ("graded",)
    prepend: bool = False

    def code(self, *, port: int | str = 9, out: Path | str = "/tmp", root: Path | str = ROOT) -> str:
        """The attack's cell with its placeholders filled: a loopback port, the output folder,
        and where the grader's sources are (the checkout by default)."""
        return self.cell.replace(PORT_PLACEHOLDER, str(port)).replace("__OUT__", str(out)).replace("__ROOT__", str(root))

    def notebook(self, solution_answers: dict[str, str], **placeholders: object) -> nbformat.NotebookNode:
        """The whole submission: the answers it carries (all or none) and the attack's cell."""
        cell = self.code(**placeholders)
        answers = solution_answers if self.answers == "full" else {}
        return build_submission(answers, prepend_cells=[cell] if self.prepend else (),
                                extra_cells=() if self.prepend else [cell])


ATTACKS: tuple[Attack, ...] = (
    Attack("infinite_loop", "full", "while True:\n    pass\n", ("graded", "timeout")),
    Attack("os_exit", "full", "import os\nos._exit(0)\n", ("error",)),
    Attack("sys_exit", "full", "import sys\nsys.exit(0)\n"),
    Attack("system_exit_raised", "full", "raise SystemExit(0)\n"),
    Attack("keyboard_interrupt", "full", "raise KeyboardInterrupt\n"),
    Attack("huge_allocation", "full", "import numpy as np\nhog = np.ones(8 * 1024**3 // 8)\nhog[:] = 1\n", ("graded", "error")),
    Attack(
        "fork_bomb",
        "full",
        "import os, time\n"
        "kids = 0\n"
        "for _ in range(3000):\n"
        "    try:\n"
        "        pid = os.fork()\n"
        "    except OSError:\n"
        "        break\n"
        "    if pid == 0:\n"
        "        time.sleep(30)\n"
        "        os._exit(0)\n"
        "    kids += 1\n"
        "print('forked', kids)\n",
        ("graded", "error", "timeout"),
    ),
    Attack(
        "orphan_processes",
        "full",
        "import subprocess, os, time\n"
        f"subprocess.Popen(['sleep', '{ORPHAN_SLEEP}'], start_new_session=True)\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(600)\n"
        "    os._exit(0)\n",
    ),
    Attack(
        "network_access",
        "full",
        "import socket\n"
        "s = socket.socket()\n"
        "s.settimeout(3)\n"
        "try:\n"
        f"    s.connect(('127.0.0.1', {PORT_PLACEHOLDER}))\n"
        "    s.sendall(b'LEAK')\n"
        "    print('CONNECTED')\n"
        "except OSError as e:\n"
        "    print('blocked', e)\n",
    ),
    Attack("print_flood", "full", "for i in range(2_000_000):\n    print('flood line', i)\n", ("graded", "timeout")),
    Attack(
        "patch_numpy",
        "stub",
        "import numpy as np\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.array_equal = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)\n",
    ),
    Attack(
        "patch_otter",
        "stub",
        "import otter\n"
        "otter.Notebook.check = lambda self, *a, **k: True\n"
        "import sys, types\n"
        "fake = types.ModuleType('otter.test_files')\n"
        "sys.modules['otter.test_files'] = fake\n",
    ),
    Attack(
        "patch_grader_modules",
        "stub",
        "import sys\n"
        "from autograder.checks.base import Verdict\n"
        "for name, mod in list(sys.modules.items()):\n"
        "    if name.startswith('autograder'):\n"
        "        for attr in dir(mod):\n"
        "            obj = getattr(mod, attr, None)\n"
        "            if callable(obj) and attr in ('judge', 'run_probe', 'run_probes'):\n"
        "                setattr(mod, attr, lambda *a, **k: Verdict(True, 'forged'))\n"
        "import autograder.checks as c\n"
        "for chk in c.ALL_CHECKS:\n"
        "    object.__setattr__(chk, 'judge', lambda m, e: Verdict(True, 'forged'))\n"
        "    object.__setattr__(chk, 'probe', lambda ns: {})\n",
        ("graded", "error"),
    ),
    Attack(
        "replace_reference_module",
        "stub",
        "import sys, types\n"
        "try:\n"
        "    import reference\n"
        "    shift_right = reference.shift_right\n"
        "    pooling_change = reference.pooling_change\n"
        "    fraction_unchanged = reference.fraction_unchanged\n"
        "    LinearWithoutBuild = reference.LinearWithoutBuild\n"
        "    resnetBlock = reference.resnetBlock\n"
        "    ActivityL1 = reference.ActivityL1\n"
        "    train_step = reference.train_step\n"
        "    print('REFERENCE IMPORTED')\n"
        "except Exception as e:\n"
        "    print('no reference', type(e).__name__)\n"
        "sys.modules['reference'] = types.ModuleType('reference')\n",
    ),
    Attack(
        "forge_probe_records",
        "stub",
        "import os, json\n"
        "for fd in range(3, 64):\n"
        "    for cid in ('q1_shift_values', 'q3_numerics_inference', 'q4_train_step_value'):\n"
        "        try:\n"
        "            os.write(fd, (json.dumps({'kind': 'probe', 'id': cid, 'data': {}}) + '\\n').encode())\n"
        "        except OSError:\n"
        "            pass\n",
        ("error",),
    ),
    Attack(
        "fake_results_files",
        "stub",
        "import json, os, pathlib\n"
        "fake = {'score': 999, 'tests': []}\n"
        "targets = ['results.json', 'grades.csv', '/autograder/results/results.json', '__OUT__/grades.csv',\n"
        "           '__OUT__/results/fake_results_files.json']\n"
        "for t in targets:\n"
        "    try:\n"
        "        pathlib.Path(t).parent.mkdir(parents=True, exist_ok=True)\n"
        "        pathlib.Path(t).write_text(json.dumps(fake))\n"
        "        print('WROTE', t)\n"
        "    except OSError as e:\n"
        "        print('denied', t, type(e).__name__)\n",
    ),
    Attack(
        "read_hidden_sources",
        "stub",
        "import glob, inspect, sys\n"
        "stolen = []\n"
        "for pattern in ['__ROOT__/autograder/checks/*.py', '__ROOT__/reference/*.py', '__ROOT__/build/*.json',\n"
        "                '__ROOT__/assignment/*.ipynb', '/autograder/source/**/*.py']:\n"
        "    for path in glob.glob(pattern, recursive=True):\n"
        "        try:\n"
        "            stolen.append(open(path).read())\n"
        "        except OSError:\n"
        "            pass\n"
        "for name, mod in list(sys.modules.items()):\n"
        "    if name.startswith('autograder.checks.q'):\n"
        "        try:\n"
        "            stolen.append(inspect.getsource(mod))\n"
        "        except Exception:\n"
        "            pass\n"
        "print('\\n'.join(stolen))\n"
        "def shift_right(x, pixels=1):\n"
        "    raise RuntimeError('\\n'.join(stolen)[:5000] or 'nothing readable')\n",
    ),
    Attack(
        "delete_working_files",
        "full",
        "import os, shutil\n"
        "for entry in os.listdir('.'):\n"
        "    shutil.rmtree(entry, ignore_errors=True) if os.path.isdir(entry) else os.remove(entry)\n"
        "for path in ['__OUT__', '__ROOT__/examples']:\n"
        "    shutil.rmtree(path, ignore_errors=True)\n",
    ),
    Attack(
        "environment_secrets",
        "full",
        "import os\n"
        f"print('SECRET=' + os.environ.get('{SECRET_NAME}', 'absent'))\n"
        "print(sorted(os.environ))\n",
    ),
    Attack(
        "raise_rlimits",
        "full",
        "import resource\n"
        "for r in (resource.RLIMIT_AS, resource.RLIMIT_NPROC, resource.RLIMIT_CPU):\n"
        "    try:\n"
        "        resource.setrlimit(r, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n"
        "        print('RAISED', r)\n"
        "    except (ValueError, OSError) as e:\n"
        "        print('refused', r)\n",
    ),
)

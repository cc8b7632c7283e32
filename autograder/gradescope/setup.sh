#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (Ubuntu 22.04, jammy).
#
# 1. Python 3.11 from Ubuntu's own archive: jammy-updates' python3.11 package (3.11.0~rc1). The
#    image's python3 is 3.10, which Keras 3.15 does not support; no PPA or download is needed.
# 2. The grading runtime only (gradescope-lock.txt: every package pinned with its sha256, resolved
#    for exactly that interpreter) into a virtual environment outside /autograder, from wheels
#    only, with no dependency resolution left to chance. No conda, no TeX, no browser, no tests.
#
# Environment (for testing outside Gradescope):
#   AUTOGRADER_VENV     where the environment goes; default /opt/autograder-venv
#   AUTOGRADER_PYTHON3  an interpreter to use instead of installing python3.11 with apt
set -euo pipefail

SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${AUTOGRADER_VENV:-/opt/autograder-venv}"
PIP_VERSION="@PIP_VERSION@"
PYTHON="${AUTOGRADER_PYTHON3:-python3.11}"

if [ -z "${AUTOGRADER_PYTHON3:-}" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    if ! apt-cache show python3.11-venv >/dev/null 2>&1; then
        echo "setup.sh: python3.11-venv is not in the apt sources; enable Ubuntu's universe component (jammy-updates)" >&2
        exit 1
    fi
    apt-get install -y --no-install-recommends python3.11 python3.11-venv
fi

"$PYTHON" - <<'PY'
import sys

if sys.version_info[:2] != (3, 11):
    raise SystemExit(f"setup.sh: the lock is for Python 3.11, got {sys.version}")
PY

"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --no-cache-dir --disable-pip-version-check --quiet "pip==$PIP_VERSION"
"$VENV/bin/python" -m pip install --no-cache-dir --disable-pip-version-check \
    --only-binary=:all: --no-deps --require-hashes -r "$SOURCE_DIR/gradescope-lock.txt"
"$VENV/bin/python" -m pip check
# student code runs as an unprivileged user and imports from this environment
chmod -R a+rX "$VENV"

"$VENV/bin/python" - <<'PY'
import sys

import keras
import numpy
import tensorflow

print(f"python {sys.version.split()[0]}, tensorflow {tensorflow.__version__}, keras {keras.__version__}, numpy {numpy.__version__}")
PY

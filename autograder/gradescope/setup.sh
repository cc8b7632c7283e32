#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (Ubuntu 22.04).
#
# It installs Python 3.11 from Ubuntu's own archive (jammy-updates) and the repository's pinned
# packages (requirements.txt, constrained by constraints.txt) into a virtual environment outside
# /autograder. Nothing else: no conda, no PPA, no TeX, no browser.
set -euo pipefail

SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${AUTOGRADER_VENV:-/opt/autograder-venv}"
PIP_VERSION="@PIP_VERSION@"

export DEBIAN_FRONTEND=noninteractive
apt-get update
if ! apt-cache show python3.11-venv >/dev/null 2>&1; then
    echo "setup.sh: python3.11-venv is not in the apt sources; enable Ubuntu's universe component (jammy, jammy-updates)" >&2
    exit 1
fi
apt-get install -y --no-install-recommends python3.11 python3.11-venv python3.11-dev

python3.11 -m venv "$VENV"
"$VENV/bin/python" -m pip install --no-cache-dir --disable-pip-version-check "pip==$PIP_VERSION"
"$VENV/bin/python" -m pip install --no-cache-dir --disable-pip-version-check \
    -r "$SOURCE_DIR/requirements.txt" -c "$SOURCE_DIR/constraints.txt"
# student code runs as an unprivileged user and imports from this environment
chmod -R a+rX "$VENV"

"$VENV/bin/python" - <<'PY'
import sys

if sys.version_info < (3, 11):
    raise SystemExit(f"setup.sh: Python 3.11 or newer is needed, got {sys.version}")
import keras
import numpy
import tensorflow

print(f"python {sys.version.split()[0]}, tensorflow {tensorflow.__version__}, keras {keras.__version__}, numpy {numpy.__version__}")
PY

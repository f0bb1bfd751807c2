#!/usr/bin/env bash
# The distributed sweeps on a real Ray cluster: installs Ray (PyPI) and the Python package into a
# virtual environment, then runs python/tests/test_distributed.py, which starts a head and two
# one-CPU worker nodes on loopback, sweeps, kills a worker node mid-sweep, and stops the cluster
# whatever happened. Needs the release command-line tool (.build/release/softmaxkit).
set -euo pipefail
cd "$(dirname "$0")/.."
cli=$(pwd)/.build/release/softmaxkit
test -x "$cli" || { echo "ray-test: $cli is missing; build it first (swift build -c release)" >&2; exit 2; }
venv=.build/ray-test-venv
if ! "$venv/bin/python" -c "import ray, numpy, pytest" 2>/dev/null; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check numpy pytest "ray>=2.9"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check ./python
export SOFTMAXKIT_CLI=$cli SOFTMAXKIT_RAY_TESTS=1 RAY_USAGE_STATS_ENABLED=0
(cd "$venv" && "$(pwd)/bin/python" -m pytest -q -rs "$OLDPWD/python/tests/test_distributed.py")

#!/usr/bin/env bash
# Installs the Python package into a fresh virtual environment (`pip install ./python`, which runs
# the native release build of libSoftmaxKitC) and runs its tests, including the comparison with the
# release command-line tool when it is built (.build/release/softmaxkit).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build/python-test-venv
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check numpy pytest
"$venv/bin/python" -m pip install -q --disable-pip-version-check ./python
cli=$(pwd)/.build/release/softmaxkit
if [[ -x $cli ]]; then export SOFTMAXKIT_CLI=$cli; fi
(cd "$venv" && "$(pwd)/bin/python" -m pytest -q -rs "$OLDPWD/python/tests")

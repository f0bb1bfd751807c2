#!/usr/bin/env bash
# Creates (once) the virtual environment the peer benchmarks run in, Benchmarks/.venv, with NumPy,
# ONNX and ONNX Runtime from PyPI, and prints the path of its python. The system's Python packages
# stay untouched.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=$here/.venv
if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv" >&2
fi
if ! "$venv/bin/python" -c "import numpy, onnx, onnxruntime" 2>/dev/null; then
    echo "installing the peers into $venv (NumPy, ONNX, ONNX Runtime from PyPI)" >&2
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt" >&2
fi
echo "$venv/bin/python"

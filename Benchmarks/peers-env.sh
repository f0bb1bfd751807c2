#!/usr/bin/env bash
# Creates (once) the virtual environment the peer benchmarks run in, Benchmarks/.venv, with NumPy,
# ONNX and ONNX Runtime from PyPI, and prints the path of its python. The system's Python packages
# stay untouched. With --lm it also installs PyTorch's CPU wheel from the machine's wheel folder
# (PIP_FIND_LINKS, else /opt/wheels: PyPI's default torch wheel brings gigabytes of CUDA) and
# transformers, gguf and accelerate from PyPI, for Benchmarks/lm_peers.py; with --llama-cpp as well,
# llama-cpp-python from PyPI, which compiles llama.cpp for this CPU (several minutes; CMake comes
# from PyPI too), for lm_peers.py --llama-cpp. With --ray, Ray from PyPI, for Benchmarks/ray_sweep.py.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=$here/.venv
if [[ ! -x $venv/bin/python ]]; then
    python3 -m venv "$venv" >&2
fi
if ! "$venv/bin/python" -c "import numpy, onnx, onnxruntime, scipy" 2>/dev/null; then
    echo "installing the peers into $venv (NumPy, SciPy, ONNX, ONNX Runtime from PyPI)" >&2
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt" >&2
fi
lm=no llama=no ray=no
for option in "$@"; do
    case $option in
        --lm) lm=yes ;;
        --llama-cpp) lm=yes llama=yes ;;
        --ray) ray=yes ;;
        *) echo "peers-env.sh: unknown option $option (expected --lm, --llama-cpp, --ray)" >&2; exit 2 ;;
    esac
done
if [[ $lm == yes ]] && ! "$venv/bin/python" -c "import torch, transformers, gguf, accelerate" 2>/dev/null; then
    tag=$("$venv/bin/python" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')
    wheel=$(ls "${PIP_FIND_LINKS:-/opt/wheels}"/torch-*+cpu-"$tag"-*.whl 2>/dev/null | sort -V | tail -1 || true)
    if [[ -z $wheel ]]; then
        echo "no PyTorch CPU wheel for $tag in ${PIP_FIND_LINKS:-/opt/wheels}; Benchmarks/lm_peers.py will time SoftmaxKit only" >&2
    else
        echo "installing the decoder peers into $venv ($(basename "$wheel"), transformers, gguf and accelerate from PyPI)" >&2
        "$venv/bin/python" -m pip install -q --disable-pip-version-check "$wheel" -r "$here/requirements-lm.txt" >&2
    fi
fi
if [[ $llama == yes ]] && ! "$venv/bin/python" -c "import llama_cpp" 2>/dev/null; then
    echo "installing llama-cpp-python into $venv (compiles llama.cpp for this CPU: several minutes)" >&2
    CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=ON}" "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements-llama-cpp.txt" >&2
fi
if [[ $ray == yes ]] && ! "$venv/bin/python" -c "import ray; ray.init" 2>/dev/null; then
    echo "installing Ray into $venv (PyPI)" >&2
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements-ray.txt" >&2
fi
echo "$venv/bin/python"

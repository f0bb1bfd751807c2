#!/usr/bin/env bash
# The report as a reader sees it: builds a report from a small run of every part of the lab
# (accuracy and attention, the encoder and decoder when their models are fetched, grokking, the
# solver), opens it in headless Chromium at 1400 and 760 px and checks it
# (scripts/report-browser-check.py). Screenshots go to .build/report-screenshots/.
#
# Usage: scripts/report-browser-test.sh [CLI]   (default .build/release/softmaxkit)
# Installs Debian's chromium and chromium-driver when missing, and Selenium from PyPI into
# .build/report-browser-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${1:-.build/release/softmaxkit}
test -x "$cli" || { echo "report-browser-test: $cli is not an executable; build the CLI first (swift build -c release)" >&2; exit 2; }

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "report-browser-test: chromium and chromium-driver are missing; install them (apt-get install chromium chromium-driver)" >&2
        exit 2
    fi
    apt-get update -q >/dev/null && apt-get install -y -q chromium chromium-driver >/dev/null
fi
venv=.build/report-browser-venv
if ! "$venv/bin/python" -c "import selenium" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check selenium
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
"$cli" accuracy puma-softmax stablemax sparsemax ibert-softmax-int puma-gelu ibert-gelu-poly-float gelu-tanh \
    --lengths 16,256 --output "$results" > /dev/null
"$cli" accuracy --attention --lengths 64,128 --output "$results" > /dev/null
"$cli" train grokking --modulus 23 --hidden 32 --steps 200 --log-every 10 --output "$results" > /dev/null
"$cli" solve gns --n 60 --m 80 --output "$results" > /dev/null 2>&1
if [ -f models/all-MiniLM-L6-v2/model.safetensors ]; then
    "$cli" model --per-layer --normalizer puma-softmax --output "$results" > /dev/null 2>&1
else
    echo "report-browser-test: no encoder section (models/all-MiniLM-L6-v2 not fetched; scripts/fetch-models.sh)"
fi
if [ -f models/SmolLM2-135M-Instruct/SmolLM2-135M-Instruct.Q4_1.gguf ]; then
    "$cli" lm sweep --per-layer --normalizer puma-softmax --tokens 64 --window 64 --output "$results" > /dev/null 2>&1
else
    echo "report-browser-test: no decoder section (models/SmolLM2-135M-Instruct not fetched; scripts/fetch-models.sh)"
fi
"$cli" report --output "$results" > /dev/null
"$venv/bin/python" scripts/report-browser-check.py "$results/report.html" --screenshots .build/report-screenshots

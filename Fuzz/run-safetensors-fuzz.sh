#!/usr/bin/env bash
# Fuzzes the safetensors header parser with libFuzzer + AddressSanitizer.
#   Fuzz/run-safetensors-fuzz.sh [RUNS]     (default 1000000 executions)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-1000000}"
corpus=fuzz-corpus/safetensors
mkdir -p .build "$corpus"
swiftc -O -sanitize=fuzzer,address -parse-as-library \
    Sources/SoftmaxModels/SafeTensors/SafeTensorsHeader.swift Fuzz/SafeTensorsFuzz.swift -o .build/safetensors-fuzz
# Seed corpus: small valid files (the fuzzer mutates from there).
python3 - "$corpus" <<'PY'
import json, struct, sys
def st(header, data):
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data
seeds = [
    st({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 8),
    st({"__metadata__": {"format": "pt"}, "w": {"dtype": "F16", "shape": [1, 3], "data_offsets": [0, 6]},
        "b": {"dtype": "BF16", "shape": [2], "data_offsets": [6, 10]}}, b"\0" * 10),
    st({"ids": {"dtype": "I64", "shape": [], "data_offsets": [0, 8]}, "e": {"dtype": "F32", "shape": [0, 4], "data_offsets": [8, 8]}}, b"\0" * 8),
]
for i, s in enumerate(seeds):
    open("%s/seed%d" % (sys.argv[1], i), "wb").write(s)
PY
SWIFT_BACKTRACE=enable=no .build/safetensors-fuzz -artifact_prefix=.build/fuzz- -runs="$runs" -max_len=4096 "$corpus"

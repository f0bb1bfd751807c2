#!/usr/bin/env bash
# Fuzzes the .npy header parser with libFuzzer + AddressSanitizer.
#   Fuzz/run-npy-fuzz.sh [RUNS]     (default 1000000 executions)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-1000000}"
mkdir -p .build fuzz-corpus
swiftc -O -sanitize=fuzzer,address -parse-as-library \
    Sources/SoftmaxNumPy/NpyHeader.swift Fuzz/NpyFuzz.swift -o .build/npy-fuzz
# Seed corpus: a few valid files (the fuzzer mutates from there).
python3 - <<'PY'
import struct
def npy(descr, shape, nbytes, version=1):
    dims = "(%s)" % (", ".join(map(str, shape)) + ("," if len(shape) == 1 else ""))
    d = ("{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, dims)).encode()
    pre = 10 if version == 1 else 12
    d += b" " * ((-(pre + len(d) + 1)) % 64) + b"\n"
    head = b"\x93NUMPY" + bytes([version, 0]) + (struct.pack("<H", len(d)) if version == 1 else struct.pack("<I", len(d)))
    return head + d + b"\0" * nbytes
for i, (descr, shape, size) in enumerate([("<f4", (2, 3), 4), ("<f8", (5,), 8), ("|b1", (), 1), ("<i8", (1, 0), 8), ("<f2", (3, 1), 2)]):
    n = 1
    for s in shape: n *= s
    open("fuzz-corpus/seed%d.npy" % i, "wb").write(npy(descr, shape, n * size, 1 if i % 2 == 0 else 2))
PY
SWIFT_BACKTRACE=enable=no .build/npy-fuzz -artifact_prefix=.build/fuzz- -runs="$runs" -max_len=4096 fuzz-corpus

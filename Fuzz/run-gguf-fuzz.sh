#!/usr/bin/env bash
# Fuzzes the GGUF header parser with libFuzzer + AddressSanitizer.
#   Fuzz/run-gguf-fuzz.sh [RUNS]     (default 1000000 executions)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-1000000}"
corpus=fuzz-corpus/gguf
mkdir -p .build "$corpus"
swiftc -O -sanitize=fuzzer,address -parse-as-library \
    Sources/SoftmaxModels/GGUF/GGUFHeader.swift Sources/SoftmaxModels/GGUF/GGMLType.swift Fuzz/GGUFFuzz.swift -o .build/gguf-fuzz
# Seed corpus: small valid files with metadata of several types and a few tensors.
python3 - "$corpus" <<'PY'
import struct, sys
def s(t): b = t.encode(); return struct.pack("<Q", len(b)) + b
def gguf(meta, tensors, align=32):
    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(meta))
    for k, (t, v) in meta: out += s(k) + struct.pack("<I", t) + v
    offset, data = 0, b""
    for name, dims, typ, nbytes in tensors:
        out += s(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims) + struct.pack("<IQ", typ, offset)
        data += b"\x01" * nbytes + b"\0" * ((-nbytes) % align)
        offset += nbytes + (-nbytes) % align
    out += b"\0" * ((-len(out)) % align)
    return out + data
meta = [("general.architecture", (8, s("llama"))), ("n", (4, struct.pack("<I", 30))), ("eps", (6, struct.pack("<f", 1e-5))),
        ("tokens", (9, struct.pack("<IQ", 8, 2) + s("a") + s("b")))]
open(sys.argv[1] + "/seed0.gguf", "wb").write(gguf(meta, [("w", [32, 2], 3, 40), ("e", [64], 8, 68), ("n", [4], 0, 16)]))
open(sys.argv[1] + "/seed1.gguf", "wb").write(gguf(meta[:1], [("x", [8], 1, 16)]))
PY
SWIFT_BACKTRACE=enable=no .build/gguf-fuzz -artifact_prefix=.build/fuzz- -runs="$runs" -max_len=4096 "$corpus"

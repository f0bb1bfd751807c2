#!/usr/bin/env bash
# Fuzzes the command line's parameter parsing (`--param NAME=VALUE` → value → validation → typed
# parameters) with libFuzzer + AddressSanitizer.
#   Fuzz/run-parameter-fuzz.sh [RUNS]     (default 1000000 executions)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-1000000}"
corpus=fuzz-corpus/parameters
mkdir -p .build "$corpus"
registry=Sources/SoftmaxKit/Registry
swiftc -O -sanitize=fuzzer,address -parse-as-library \
    $registry/ParameterValue.swift $registry/RegistryError.swift $registry/ParameterSpec.swift \
    $registry/MethodParameters.swift Fuzz/ParameterFuzz.swift -o .build/parameter-fuzz
# Seed corpus: one option per line, every kind (the fuzzer mutates from there).
printf 'real=0.25\nwhole=12\nhuge=9223372036854775807\n' > "$corpus/seed0"
printf 'optional_real=auto\noptional_whole=-3\nflag=true\n' > "$corpus/seed1"
printf 'mode=exact\noptional_mode=none\nlist=[1, 2.5, -3e10]\n' > "$corpus/seed2"
printf 'real=nan\nwhole=1e300\nlist=[inf]\nhuge=1e19\n' > "$corpus/seed3"
SWIFT_BACKTRACE=enable=no .build/parameter-fuzz -artifact_prefix=.build/fuzz- -runs="$runs" -max_len=512 "$corpus"

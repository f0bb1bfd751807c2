#!/usr/bin/env bash
# Builds the C test program against libSoftmaxKitC and runs it.
# Usage: scripts/c-abi-test.sh [BUILD_DIR]   (default .build/release; the library must be built:
#   swift build -c release --product SoftmaxKitC)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-.build/release}" && pwd)
[ -f "$build/libSoftmaxKitC.so" ] || [ -f "$build/libSoftmaxKitC.dylib" ] || {
    echo "c-abi-test: no libSoftmaxKitC in $build; build it with: swift build -c release --product SoftmaxKitC" >&2
    exit 1
}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
${CC:-cc} -O1 -Wall -Wextra -Werror -std=c11 -ISources/CSoftmaxKit/include Tests/CABI/abi_test.c \
    -L"$build" -lSoftmaxKitC -Wl,-rpath,"$build" -lm -lpthread -o "$out/abi_test"
"$out/abi_test"

#!/usr/bin/env bash
# Throughput of softmax with each cheap exponential and of the vectorized approximate normalizers,
# against the exact kernel, on rows of 1024 in L1, L2, L3 and memory; best of two runs per cell
# (the machines are shared and noisy). Prints a Markdown table of GB/s.
#   Benchmarks/approximations.sh [path/to/softmaxkit]
set -euo pipefail
cli=${1:-.build/release/softmaxkit}
shapes=("3 1024 L1" "96 1024 L2" "2048 1024 L3" "65536 1024 memory")
gbps() { "$cli" bench "$@" --repeat 5 2>/dev/null | tail -1 | awk -F'|' '{print $7}'; }
best() { local a b; a=$(gbps "$@"); b=$(gbps "$@"); awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", (a > b ? a : b) }'; }
echo "| variant | L1 (3×1024) | L2 (96×1024) | L3 (2048×1024) | memory (65536×1024) |"
echo "|---|---|---|---|---|"
row() {
    local label=$1; shift
    local cells=()
    for s in "${shapes[@]}"; do
        set -- $s "$@"
        local r=$1 c=$2; shift 3
        cells+=("$(best "$@" --rows "$r" --cols "$c")")
    done
    echo "| $label | ${cells[0]} | ${cells[1]} | ${cells[2]} | ${cells[3]} |"
}
for exp in exact schraudolph poly1 poly2 poly3 poly4 limit base2; do
    row "softmax[exp=$exp]" --method softmax --param "exp=$exp"
done
for id in puma-softmax stablemax edge-moe-softmax; do
    row "$id" --method "$id"
done

#!/usr/bin/env bash
# Times two builds of the CLI on the same shapes, alternating which goes first in each round, and
# prints each shape's median GB/s for both, their ratio and the schedule the second build takes:
# the check that a change lost no speed. On a shared machine single figures move by tens of
# percent; the alternation and the medians over rounds are what make two builds comparable.
#
#   Benchmarks/compare-builds.sh BEFORE/softmaxkit AFTER/softmaxkit [ROUNDS] [METHOD]
#
# Shapes: rows of 128, 1024 and 32768 in L2, L3 and memory (as `softmaxkit bench`'s sweep), one thread;
# SHAPES="2048x1024 64x32768" picks others.
set -euo pipefail
before=$1 after=$2 rounds=${3:-5} method=${4:-softmax}
shapes=${SHAPES:-"768x128 16384x128 524288x128 96x1024 2048x1024 65536x1024 3x32768 64x32768 2048x32768"}
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for round in $(seq 1 "$rounds"); do
    for shape in $shapes; do
        rows=${shape%x*} cols=${shape#*x}
        repeat=15; (( rows * cols > 4194304 )) && repeat=5
        order="before after"; (( round % 2 == 0 )) && order="after before"
        for side in $order; do
            cli=$before; [[ $side == after ]] && cli=$after
            "$cli" bench --method "$method" --rows "$rows" --cols "$cols" --repeat "$repeat" --json 2>/dev/null \
                | python3 -c "import json, sys; d = json.load(sys.stdin); print('$shape', '$side', d['gbps'], d.get('schedule') or '-')" >> "$results"
        done
    done
    echo "round $round of $rounds done" >&2
done
python3 - "$results" "$method" <<'PY'
import collections, statistics, sys
runs, schedule = collections.defaultdict(list), {}
for line in open(sys.argv[1]):
    shape, side, gbps, s = line.split()
    runs[(shape, side)].append(float(gbps))
    if side == "after": schedule[shape] = s
print(f"| {sys.argv[2]} rows×cols | before GB/s (median) | after GB/s (median) | after ÷ before | schedule (after) |")
print("|---|---|---|---|---|")
for shape in dict.fromkeys(k[0] for k in runs):
    b, a = statistics.median(runs[(shape, "before")]), statistics.median(runs[(shape, "after")])
    print(f"| {shape.replace('x', '×')} | {b:.2f} | {a:.2f} | {a / b:.2f}× | {schedule[shape]} |")
PY

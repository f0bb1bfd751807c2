#!/usr/bin/env python3
"""Checks that the kernels' innermost loops contain no calls, in a built binary's disassembly.

    python3 scripts/check-hot-loops.py .build/release/softmaxkit [--verbose]

Float and Double code only: a generic kernel's unspecialized body never runs for them. A loop is a backward jump within a function (the jump's target up to the jump); an innermost
loop contains no other loop. A call inside one runs once per vector or element: a helper the
optimizer did not inline, a generic left unspecialized, or a libm call where a vector operation
was meant. Only the exact kernels, the vector math and the activations are checked (their
functions' mangled names below); the exit status is 1 when any innermost loop calls out.
Needs `objdump` (binutils).
"""
import re, shutil, subprocess, sys

# Mangled-name fragments of the functions whose inner loops are hot.
KERNELS = ["ThreePassA0O", "TwoPassA0O", "OnlineA0O", "ExactA0O3run", "SplitRows", "rowMap", "rowSumExp",
           "rowExtrema", "mapElements", "mapRows", "GELU", "VectorMath", "expShifted", "expNonPositive"]
# Functions whose innermost loops run over rows or blocks, calling a row kernel per row (the
# driver loops), and the I-BERT integer model, a scalar reference of integer hardware.
ROW_LOOPS = ["ExactA0O3run", "consecutiveRows", "rowsFusedIntoPass2", "perRow", "mapRows", "mapElements", "SplitRows", "ElementwiseActivationV8activate",
             "IBertGELUFunction"]
# Callees allowed, with the reason: the online update over four vectors measured faster out of
# line (one call per 64 elements; OnlineSoftmax.update's comment); `Double(Float)` of a block's
# vector sum, once per 4096 elements (its loop looks innermost where the element loops unrolled);
# the edge contract of a special row (`rowEdgeCase`: NaN, +∞ or all −∞), once per such row from
# the grouped short rows' per-row loops.
ALLOWED_CALLEES = ["OnlineA0O6update", "$sSBsEyxqd__cSBRd__lufCSd_SfTt1g5", "SoftmaxKit11rowEdgeCase"]

FUNCTION = re.compile(r"^([0-9a-f]+) <(.+)>:$")
INSTRUCTION = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(.*)$")
TARGET = re.compile(r"^([0-9a-f]+)\b")


def functions(binary):
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", binary], check=True, capture_output=True, text=True).stdout
    name, body = None, []
    for line in out.splitlines():
        m = FUNCTION.match(line)
        if m:
            if name:
                yield name, body
            name, body = m.group(2), []
            continue
        m = INSTRUCTION.match(line)
        if m and name:
            body.append((int(m.group(1), 16), m.group(2), m.group(3)))
    if name:
        yield name, body


def innermost_loops(body):
    """The back edges (target, jump) of `body` that close a cycle, innermost ones only.

    A backward jump alone is not a loop: the compiler also jumps back to code it shared between
    branches (an edge case's call placed earlier), which then leaves by a return or a forward
    jump. A back edge is a loop when its target reaches the jump again without leaving the range.
    """
    start, end = (body[0][0], body[-1][0]) if body else (0, 0)
    index = {address: i for i, (address, _, _) in enumerate(body)}
    loops = []
    for i, (address, op, operands) in enumerate(body):
        if op.startswith("j"):
            t = TARGET.match(operands)
            if t:
                target = int(t.group(1), 16)
                if start <= target <= address and target in index and closes_cycle(body, index, index[target], i):
                    loops.append((target, address))
    return [(a, b) for (a, b) in loops if not any((c, d) != (a, b) and a <= c and d <= b for (c, d) in loops)]


def closes_cycle(body, index, first, last):
    """Whether execution from instruction `first` can reach instruction `last` within first…last."""
    seen, stack = set(), [first]
    while stack:
        i = stack.pop()
        if i in seen or i < first or i > last:
            continue
        if i == last:
            return True
        seen.add(i)
        _, op, operands = body[i]
        if op.startswith("ret") or op in ("ud2", "int3", "hlt"):
            continue
        if op.startswith("j"):
            t = TARGET.match(operands)
            if t is None:  # an indirect jump: assume it may go anywhere in the range
                stack.extend(range(first, last + 1))
                continue
            target = index.get(int(t.group(1), 16))
            if target is not None:
                stack.append(target)
            if op.startswith("jmp"):
                continue
        stack.append(i + 1)
    return False


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    if shutil.which("objdump") is None:
        print("check-hot-loops: objdump not found (apt-get install binutils); skipped")
        return 0
    verbose = "--verbose" in sys.argv
    checked, problems = 0, []
    for name, body in functions(sys.argv[1]):
        if not name.startswith("$s10SoftmaxKit") or not any(k in name for k in KERNELS):
            continue
        # Float and Double code only (`Sf`, `Sd` in the name: a specialization or a concrete
        # signature); a generic kernel's unspecialized body (`…Rz…lF` without a `…g5`
        # specialization mark) never runs for them.
        if "Sf" not in name and "Sd" not in name:
            continue
        if "lF" in name and not re.search(r"[gG]5", name):
            continue
        if any(k in name for k in ROW_LOOPS):
            continue
        checked += 1
        for a, b in innermost_loops(body):
            for address, op, operands in body:
                if a <= address <= b and op.startswith("call") and not any(c in operands for c in ALLOWED_CALLEES):
                    problems.append((name, address, operands))
    for name, address, operands in problems:
        print("call in an innermost loop: %s at %x: call %s" % (name[:120], address, operands[:160]))
    print("check-hot-loops: %d kernel functions, %d calls in innermost loops" % (checked, len(problems)))
    if verbose:
        print("(functions checked: names containing %s)" % ", ".join(KERNELS))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

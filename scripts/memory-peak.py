#!/usr/bin/env python3
"""Peak memory of `softmaxkit call` on large inputs: the contract is that a distribution-valued or
element-wise method peaks at no more than its input plus its outputs plus 64 MiB (the runtime, the
code, and the buffers of at most one row group) — the input is mapped and copied once, outputs are
streamed to their files.

    python3 scripts/memory-peak.py .build/release/softmaxkit [--mib 256] [--json FILE]

Each case writes a float32 or float64 input of about --mib MiB, runs the call, reads the child's
peak resident set (getrusage's ru_maxrss, as `/usr/bin/time -v` reports it), and fails when it
exceeds the budget. Needs only the Python standard library.
"""
import argparse, json, os, resource, struct, subprocess, sys, tempfile

SLACK_MIB = 64
CASES = [("softmax", "<f4"), ("softmax", "<f8"), ("log-softmax", "<f4"), ("logsumexp", "<f4"), ("gelu", "<f4"),
         ("silu", "<f4"), ("sparsemax", "<f4"), ("online-softmax", "<f4")]  # (method, element type)


def write_input(path, rows, cols, descr):
    size = 4 if descr == "<f4" else 8
    header = ("{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d), }" % (descr, rows, cols)).encode()
    header += b" " * ((-(10 + len(header) + 1)) % 64) + b"\n"
    row = struct.pack("<%d%s" % (cols, "f" if size == 4 else "d"), *[((i * 7919) % 1000) / 125.0 - 4 for i in range(cols)])
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header)
        for _ in range(rows):
            f.write(row)


def peak_of(args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    child = subprocess.run(args, capture_output=True, text=True)
    if child.returncode != 0:
        sys.exit("%s: %s" % (" ".join(args[:3]), child.stderr.strip()))
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if after <= before:
        sys.exit("memory-peak.py: the call's peak is hidden by an earlier, larger child; run each case in a fresh process")
    return after / 1024  # KiB → MiB


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("softmaxkit")
    p.add_argument("--mib", type=int, default=256, help="input size per case")
    p.add_argument("--case", help="run one case, METHOD:f4 or METHOD:f8 (used by the driver)")
    p.add_argument("--json", help="write the figures to this results file (as Benchmarks/results/memory.json)")
    args = p.parse_args()
    if args.case:  # one case in this process, so ru_maxrss of the children is this call's alone
        method, kind = args.case.split(":")
        descr = "<" + kind
        cols = 1024
        rows = args.mib * 2**20 // (cols * (4 if kind == "f4" else 8))
        with tempfile.TemporaryDirectory() as scratch:
            source = os.path.join(scratch, "x.npy")
            write_input(source, rows, cols, descr)
            out = os.path.join(scratch, "out")
            mib = peak_of([args.softmaxkit, "call", method, "--input", "x=" + source, "--output-dir", out])
            outputs = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out) if f.endswith(".npy"))
        print(json.dumps({"method": method, "dtype": kind, "input_mib":
                          rows * cols * (4 if kind == "f4" else 8) / 2**20, "outputs_mib": outputs / 2**20, "peak_mib": mib}))
        return
    results, failures = [], 0
    for method, descr in CASES:
        child = subprocess.run([sys.executable, __file__, args.softmaxkit, "--mib", str(args.mib), "--case",
                                "%s:%s" % (method, descr[1:])], capture_output=True, text=True)
        if child.returncode != 0:
            sys.exit("memory-peak.py: %s (%s) failed: %s" % (method, descr, child.stderr.strip().splitlines()[-1:]))
        line = child.stdout
        r = json.loads(line)
        r["budget_mib"] = r["input_mib"] + r["outputs_mib"] + SLACK_MIB
        r["ok"] = r["peak_mib"] <= r["budget_mib"]
        failures += not r["ok"]
        results.append(r)
        print("%-16s %s  input %6.0f MiB  outputs %6.0f MiB  peak %6.0f MiB  budget %6.0f MiB  %s"
              % (method, r["dtype"], r["input_mib"], r["outputs_mib"], r["peak_mib"], r["budget_mib"],
                 "ok" if r["ok"] else "OVER"), flush=True)
    if args.json:  # a results file Benchmarks/tables.py renders, with where and when it was measured
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Benchmarks"))
        import provenance
        header = provenance.record(" ".join(["python3", "scripts/memory-peak.py"] + sys.argv[1:]))
        with open(args.json + ".tmp", "w") as f:
            json.dump({"kind": "memory", "header": header, "slack_mib": SLACK_MIB, "cases": results}, f, indent=1)
            f.write("\n")
        os.replace(args.json + ".tmp", args.json)
    if failures:
        sys.exit("memory-peak.py: %d of %d calls peaked above input + outputs + %d MiB" % (failures, len(results), SLACK_MIB))


if __name__ == "__main__":
    main()

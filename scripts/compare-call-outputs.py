#!/usr/bin/env python3
"""Calls every registered method through two builds of the CLI on the same fixed inputs and
compares the outputs byte for byte: the check that a change to the code changed no result.

    python3 scripts/compare-call-outputs.py BEFORE/softmaxkit AFTER/softmaxkit [--keep DIR]

For each id of `AFTER methods --json` (ids only one build has are listed apart), the script writes
seeded inputs for the method's declared input names (one shape per name, float32 and float64;
optional inputs left out), calls `softmaxkit call ID` with the default parameters on both builds,
and compares every output file's bytes, or, where a build refuses the call, both builds' errors.
Cases: every id in float32 and in float64, rows with a NaN, a +inf, a fully masked (-inf) row
and a range over 31 among ordinary ones. Exits 1 on any difference. Needs NumPy.
"""
import argparse, json, os, subprocess, sys, tempfile

import numpy as np

ROWS, COLS = 7, 37


def logits(rng, dtype):
    x = (4 * rng.standard_normal((ROWS, COLS))).astype(dtype)
    x[1, 5] = np.nan
    x[2, 36] = np.inf
    x[3, :] = -np.inf
    x[4, 0] = 1e30
    x[5, 36] = -40
    return x


def inputs_for(method, rng, dtype):
    """Seeded inputs for every required input name of `method`."""
    made = {}
    for spec in method["inputs"]:
        if spec.get("optional"):
            continue
        name, kind = spec["name"], spec.get("kind")
        if kind == "boolean":
            made[name] = rng.random((ROWS, COLS)) < 0.7
        elif kind == "index":
            made[name] = rng.integers(0, COLS if name != "q" else 64, size=(ROWS,) if name in ("labels", "y", "c") else (ROWS, COLS)).astype(np.int64)
        elif name in ("Q", "K", "V", "L", "X", "W", "A", "B"):
            made[name] = rng.standard_normal((9, 8)).astype(dtype)
        elif name == "x":
            made[name] = logits(rng, dtype)
        else:
            made[name] = rng.standard_normal((ROWS, COLS)).astype(dtype)
    return made


def call(cli, method_id, files, out):
    args = [cli, "call", method_id, "--output-dir", out] + [a for name, path in files.items() for a in ("--input", f"{name}={path}")]
    r = subprocess.run(args, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        return ("error", r.stderr.strip().splitlines()[0] if r.stderr.strip() else f"exit {r.returncode}")
    return ("ok", {f: open(os.path.join(out, f), "rb").read() for f in sorted(os.listdir(out))})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--keep", help="keep the inputs and outputs in this folder")
    a = parser.parse_args()
    methods = {m["id"]: m for m in json.loads(subprocess.run([a.after, "methods", "--json"], capture_output=True, check=True).stdout)}
    before_ids = {m["id"] for m in json.loads(subprocess.run([a.before, "methods", "--json"], capture_output=True, check=True).stdout)}
    work = a.keep or tempfile.mkdtemp(prefix="softmaxkit-compare-")
    same = refused = 0
    differences = []
    for method_id, method in sorted(methods.items()):
        if method_id not in before_ids:
            continue
        for dtype in (np.float32, np.float64):
            rng = np.random.default_rng(sum(map(ord, method_id)))
            case = os.path.join(work, f"{method_id}-{np.dtype(dtype).name}")
            os.makedirs(case, exist_ok=True)
            files = {}
            for name, value in inputs_for(method, rng, dtype).items():
                files[name] = os.path.join(case, f"in-{name}.npy")
                np.save(files[name], value)
            results = [call(cli, method_id, files, os.path.join(case, side)) for cli, side in ((a.before, "before"), (a.after, "after"))]
            if results[0] != results[1]:
                differences.append(f"{method_id} {np.dtype(dtype).name}: {results[0][0]} vs {results[1][0]}"
                                   + (f" ({results[0][1]} | {results[1][1]})" if "error" in (results[0][0], results[1][0]) else
                                      " (files: " + ", ".join(f for f in results[1][1] if results[0][1].get(f) != results[1][1][f]) + ")"))
            elif results[0][0] == "error":
                refused += 1
            else:
                same += 1
    print(f"{len(methods)} ids ({len(set(methods) - before_ids)} new: {', '.join(sorted(set(methods) - before_ids)) or 'none'}; "
          f"{len(before_ids - set(methods))} gone: {', '.join(sorted(before_ids - set(methods))) or 'none'})")
    print(f"{same} calls with identical outputs, {refused} refused identically by both builds, {len(differences)} different")
    for d in differences:
        print("  " + d)
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()

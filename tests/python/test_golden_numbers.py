#!/usr/bin/python3
"""Holds every market, auction and curves number of the shipped inputs bit for bit to a recorded result.

    /usr/bin/python3 tests/python/test_golden_numbers.py --cli build/ttcgames --inputs inputs --scratch /tmp/x
    /usr/bin/python3 tests/python/test_golden_numbers.py ... --record     # rewrite tests/data/golden/ (on purpose)

Runs the README's main job (the nine paper markets at every beta with all pure equilibria enumerated) and the
curves of the shipped synthetic, Tree-of-Thoughts and Qwen run logs under every estimator, then compares every
dataset under /market, /auction and /curves with tests/data/golden/<case>.h5: the same dtype, the same shape and
the same bytes (NaN equal to NaN). Datasets the golden file does not have (new outputs) are allowed; a golden
dataset that is missing or differs in a single bit fails. Ensemble and population statistics are not held here:
their schema is allowed to change (docs/hdf5-format.md), their numbers are checked by their own tests.
Exit status: 0 on success, 77 (skipped) without numpy/h5py, 1 on failure.
"""

import argparse
import os
import shutil
import subprocess
import sys

try:
    import numpy as np
    import h5py
except ImportError as error:
    print(f"SKIP: {error} (install python3-numpy python3-h5py and run with /usr/bin/python3)")
    sys.exit(77)

GOLDEN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "golden")
HELD_GROUPS = ("market", "auction", "curves")


def cases(inputs):
    """(name, ttcgames arguments) of every held run; the output file is appended as -o <name>.h5."""
    paper = sorted(os.path.join(inputs, "paper", f) for f in os.listdir(os.path.join(inputs, "paper"))
                   if f.endswith(".toml"))
    synthetic = os.path.join(inputs, "runlogs", "synthetic")
    instruct = sorted(os.path.join(synthetic, f) for f in os.listdir(synthetic) if f.startswith("Synth"))
    reasoning = [os.path.join(synthetic, f) for f in os.listdir(synthetic) if f.startswith("reason-")]
    tot = os.path.join(inputs, "runlogs", "tot-game24")
    qwen = os.path.join(inputs, "runlogs", "qwen25-math-rm-maj", "math_cot_100.jsonl")
    few = ["--permutations", "64", "--bootstrap", "200"]
    return [
        ("paper", ["run", *paper]),
        ("curves-permutations", ["curves", *instruct, *few, "--seed", "7"]),
        ("curves-exact", ["curves", *instruct, "--exact", *few]),
        ("curves-logged-order", ["curves", *instruct, "--estimator", "logged-order", "--bootstrap", "200"]),
        ("curves-relative-effort", ["curves", *reasoning, "--bootstrap", "200"]),
        ("curves-relative-effort-numpy", ["curves", *reasoning, "--jitter", "numpy", "--bootstrap", "200"]),
        ("curves-tot", ["curves", os.path.join(tot, "gpt-4_0.7_naive_cot_sample_100_start900_end1000.json"),
                        "--mapping", os.path.join(inputs, "runlogs", "tot-game24-cot.toml"),
                        "--method", "all", *few]),
        ("curves-qwen", ["curves", qwen, "--mapping", os.path.join(inputs, "runlogs", "qwen25-math.toml"),
                         "--estimator", "logged-order", "--theta", "1", "2", "4", "8", "--bootstrap", "200"]),
    ]


def held_datasets(f):
    found = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            found[name] = obj
    for group in HELD_GROUPS:
        if group in f:
            f[group].visititems(lambda name, obj, g=group: visit(f"{g}/{name}", obj))
    return found


def as_bytes(ds):
    value = ds[()]
    if ds.dtype.kind == "O" or h5py.check_string_dtype(ds.dtype) is not None:
        value = np.asarray(ds.asstr()[()], dtype=object)
        return repr(value.tolist()).encode()
    return np.ascontiguousarray(value).tobytes()


def compare(name, produced_path, golden_path, failures):
    with h5py.File(produced_path, "r") as produced, h5py.File(golden_path, "r") as golden:
        got, want = held_datasets(produced), held_datasets(golden)
        if not want:
            failures.append(f"{name}: the golden file holds no {HELD_GROUPS} dataset")
        for path, expected in sorted(want.items()):
            actual = got.get(path)
            where = f"{name}:/{path}"
            if actual is None:
                failures.append(f"{where}: missing")
            elif actual.dtype != expected.dtype or actual.shape != expected.shape:
                failures.append(f"{where}: expected {expected.dtype}{expected.shape}, found {actual.dtype}{actual.shape}")
            elif as_bytes(actual) != as_bytes(expected):
                a, e = actual[()], expected[()]
                detail = ""
                if np.issubdtype(np.asarray(e).dtype, np.number):
                    diff = np.argwhere(~((a == e) | (np.isnan(a) & np.isnan(e)) if a.dtype.kind == "f" else (a == e)))
                    first = tuple(diff[0]) if len(diff) else ()
                    detail = f" ({len(diff)} elements differ; first at {first}: {a[first]!r} vs {e[first]!r})"
                failures.append(f"{where}: values differ{detail}")
        return len(want)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--scratch", required=True)
    parser.add_argument("--record", action="store_true", help="rewrite the golden files from this build")
    args = parser.parse_args()
    os.makedirs(args.scratch, exist_ok=True)
    failures = []
    held = 0
    for name, arguments in cases(args.inputs):
        out = os.path.join(args.scratch, f"{name}.h5")
        if os.path.exists(out):
            os.remove(out)
        command = [args.cli, *arguments, "-q", "-o", out]
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            failures.append(f"{name}: `{' '.join(command)}` exited {run.returncode}: {run.stderr.strip()}")
            continue
        golden = os.path.join(GOLDEN_DIR, f"{name}.h5")
        if args.record:
            os.makedirs(GOLDEN_DIR, exist_ok=True)
            shutil.copyfile(out, golden)
            print(f"recorded {golden}")
            continue
        if not os.path.exists(golden):
            failures.append(f"{name}: no golden file {golden} (record it with --record)")
            continue
        held += compare(name, out, golden, failures)
    for f in failures:
        print("FAIL:", f)
    if failures:
        return 1
    print(f"OK: {held} datasets bit for bit equal to tests/data/golden/")
    return 0


if __name__ == "__main__":
    sys.exit(main())

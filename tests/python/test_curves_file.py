#!/usr/bin/python3
"""Checks the /curves layout of the result files written by `ttcgames curves` (docs/hdf5-format.md) from h5py.

    /usr/bin/python3 tests/python/test_curves_file.py --cli build/ttcgames --inputs inputs --scratch /tmp/x

Writes curves.h5 from the shipped synthetic run logs (three instruct models, one reasoning model) and
exact.h5 (--exact) and checks: root attributes; per method group the attributes, every dataset's dtype, shape,
units and description; the identities (accuracy = mean over questions of the per-question table, tokens likewise;
the percentile bars are >= 0; exact groups have NaN bars); the per-question tables under questions/<model>.
Exit status: 0 on success, 77 (skipped) without numpy/h5py, 1 on failure.
"""

import argparse
import math
import os
import subprocess
import sys

try:
    import numpy as np
    import h5py
except ImportError as error:
    print(f"SKIP: {error} (install python3-numpy python3-h5py and run with /usr/bin/python3)")
    sys.exit(77)

UNITS = {"USD", "token", "1", "1/USD", "s"}
CURVE_DATASETS = {
    "accuracy": "1", "accuracy_lo": "1", "accuracy_hi": "1", "accuracy_sd": "1",
    "accuracy_bootstrap_lo": "1", "accuracy_bootstrap_hi": "1",
    "tokens": "token", "tokens_lo": "token", "tokens_hi": "token", "tokens_sd": "token",
    "tokens_bootstrap_lo": "token", "tokens_bootstrap_hi": "token",
}
TOL = 1e-12

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return bool(condition)


def check_dataset(ds, units):
    check(ds.attrs.get("units") in UNITS, f"{ds.name}: units {ds.attrs.get('units')!r} not in {UNITS}")
    if units is not None:
        check(ds.attrs.get("units") == units, f"{ds.name}: units {ds.attrs.get('units')!r}, expected {units!r}")
    check(isinstance(ds.attrs.get("description"), str) and ds.attrs["description"],
          f"{ds.name}: missing description")


def check_group(g, estimator):
    models = [m for m in g["model"].asstr()[()]]
    theta = g["theta"][()]
    M, K = len(models), len(theta)
    check(g["theta"].dtype == np.float64, f"{g.name}/theta dtype {g['theta'].dtype}")
    check(g.attrs["estimator"] == estimator, f"{g.name}: estimator {g.attrs['estimator']!r}, expected {estimator!r}")
    for a in ("method", "seed", "permutations", "bootstrap_samples", "confidence"):
        check(a in g.attrs, f"{g.name}: attribute {a} missing")
    check_dataset(g["model"], "1")
    check_dataset(g["theta"], "1")
    for name, units in CURVE_DATASETS.items():
        ds = g[name]
        check(ds.shape == (M, K) and ds.dtype == np.float64, f"{ds.name}: shape {ds.shape} dtype {ds.dtype}")
        check_dataset(ds, units)
    acc, tok = g["accuracy"][()], g["tokens"][()]
    check(np.all((acc >= 0) & (acc <= 1)), f"{g.name}: accuracy outside [0, 1]")
    check(np.all(tok > 0), f"{g.name}: tokens not positive")
    lo, hi = g["accuracy_lo"][()], g["accuracy_hi"][()]
    if estimator == "exact":
        check(np.all(np.isnan(lo)) and np.all(np.isnan(hi)), f"{g.name}: exact groups have NaN percentile bars")
    else:
        check(np.all(lo >= 0) and np.all(hi >= 0), f"{g.name}: negative percentile bars")
    check(np.all(g["accuracy_sd"][()] > 0), f"{g.name}: bootstrap sd not positive")
    for name in ("num_questions", "num_samples"):
        check(g[name].shape == (M,) and g[name].dtype == np.int64, f"{g.name}/{name}: {g[name].shape} {g[name].dtype}")
        check_dataset(g[name], "1")
    tables = g["questions"]
    check(len(tables) == M, f"{g.name}/questions: {len(tables)} tables for {M} models")
    for i, model in enumerate(models):
        t = tables[model.replace("/", "_")]
        check(t["model"].asstr()[()] == model, f"{t.name}: model {t['model'][()]!r}")
        check(np.array_equal(t["theta"][()], theta), f"{t.name}: theta differs from the group's")
        p, x = t["p_correct"][()], t["tokens"][()]
        Q = len(t["qid"])
        check(p.shape == (Q, K) and x.shape == (Q, K), f"{t.name}: table shapes {p.shape} {x.shape}")
        check_dataset(t["p_correct"], "1")
        check_dataset(t["tokens"], "token")
        if g.attrs["method"] != "relative-effort":
            check(Q == g["num_questions"][i], f"{t.name}: {Q} questions, group says {g['num_questions'][i]}")
            check(np.allclose(p.mean(axis=0), acc[i], rtol=0, atol=TOL), f"{t.name}: mean p_correct != accuracy")
            check(np.allclose(x.mean(axis=0), tok[i], rtol=1e-12, atol=0), f"{t.name}: mean tokens != tokens")
    return models, theta


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--scratch", required=True)
    args = ap.parse_args()
    os.makedirs(args.scratch, exist_ok=True)
    synthetic = os.path.join(args.inputs, "runlogs", "synthetic")
    logs = sorted(os.path.join(synthetic, f) for f in os.listdir(synthetic) if f.endswith(".jsonl"))
    env = dict(os.environ, OMP_NUM_THREADS="2")
    files = {}
    for name, extra in (("curves.h5", []), ("exact.h5", ["--exact", "--method", "best-of-n", "--method", "pass@k"])):
        path = os.path.join(args.scratch, name)
        cmd = [args.cli, "curves", *logs, "--permutations", "200", "--bootstrap", "100", "-q", "-o", path, *extra]
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"FAIL: {' '.join(cmd)}\n{result.stderr}")
            return 1
        files[name] = path

    with h5py.File(files["curves.h5"], "r") as f:
        check(f.attrs["format"] == "ttcgames-results", "root format")
        check(list(f.attrs["format_version"]) == [2, 0], "root format_version")
        check("permutations = 200" in f.attrs["scenario"], "root scenario records the settings")
        groups = f["curves/synthetic"]
        check(sorted(groups) == ["best-of-n", "majority", "pass@k", "relative-effort"], f"methods {sorted(groups)}")
        models, theta = check_group(groups["majority"], "permutations")
        check(models == ["SynthA-7B", "SynthB-1B", "SynthC-3B"], f"models {models}")
        check(list(theta) == [1, 4, 8, 16, 32], f"theta {list(theta)}")
        check_group(groups["best-of-n"], "permutations")
        check_group(groups["pass@k"], "permutations")
        check(np.array_equal(groups["majority/tokens"][()], groups["best-of-n/tokens"][()]),
              "one token curve prices majority and best-of-n")
        effort = groups["relative-effort"]
        check_group(effort, "relative-effort")
        check(list(effort["theta"][()]) == [1, 2, 3, 4, 5], "relative-effort bins")
        check(effort["bin_samples"].shape == (1, 5), "bin_samples shape")
        check(int(effort["bin_samples"][()].sum()) == int(effort["num_samples"][0]), "bins pool the kept samples")
        check(effort.attrs["jitter"] == "philox", "jitter attribute")
    with h5py.File(files["exact.h5"], "r") as f:
        check(sorted(f["curves/synthetic"]) == ["best-of-n", "pass@k"], "exact methods")
        check_group(f["curves/synthetic/best-of-n"], "exact")
        check_group(f["curves/synthetic/pass@k"], "exact")
        check(f["curves/synthetic/best-of-n"].attrs["permutations"] == 0, "exact: no permutations")

    if failures:
        print(f"FAIL: {len(failures)} checks failed")
        for m in failures:
            print("  " + m)
        return 1
    print("OK: /curves layout")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Checks the /population/<scenario> groups of result files (docs/hdf5-format.md) from Python (h5py).

    /usr/bin/python3 tests/python/test_population_file.py --cli build/ttcgames --inputs inputs --scratch /tmp/x

Writes two files into the scratch directory:
  heterogeneous.h5  `run inputs/populations/gsm8k-heterogeneous.toml` shrunk to 6000 users x 3 replicates (market,
                    auction and population groups in one file)
  mix.h5            `population inputs/populations/math-mix.toml --users 5000 --replicates 2` (population only)
and checks every dataset's units and description, the group attributes and seeds, shapes and dtypes, the tally
identities (mean = sum / count, sd and the 95% CI from sum and sum_sq, histogram totals = count), the replicate
columns (PoA = SW*/SW, shares sum to 1 - outside share, SW* <= upper bound <= first best) and that `ttcgames summary`
reads the file back. Exit status: 0 on success, 77 (skipped) without numpy/h5py, 1 on failure.
"""

import argparse
import math
import os
import re
import subprocess
import sys
from pathlib import Path

try:
    import numpy as np
    import h5py
except ImportError as error:
    print(f"SKIP: {error} (install python3-numpy python3-h5py and run with /usr/bin/python3)")
    sys.exit(77)

UNITS = {"USD", "token", "1", "1/USD", "s", "USD^2", "token^2"}
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
from ttcgames._stats import t_quantile  # noqa: E402  (the package's Student t, checked against known values below)

assert abs(t_quantile(0.975, 4) - 2.776445105) < 1e-8 and abs(t_quantile(0.975, 30) - 2.042272456) < 1e-8
REL = 1e-12
TALLY = ("count", "sum", "sum_sq", "min", "max", "mean", "sd", "standard_error", "ci95_low", "ci95_high")
REGIME_QUANTITIES = ("welfare", "user_surplus", "payment", "provider_profit", "tokens", "correct", "expected_welfare")
WITH_HISTOGRAM = ("welfare", "user_surplus", "payment", "provider_profit")


class Failures:
    def __init__(self):
        self.messages = []
        self.checks = 0

    def check(self, condition, message):
        self.checks += 1
        if not condition:
            self.messages.append(message)
        return bool(condition)


def close(a, b, rel=REL, abs_tol=1e-300):
    a, b = float(a), float(b)
    if math.isnan(a) and math.isnan(b):
        return True
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol) or (math.isinf(a) and a == b)


def run(cli, args):
    command = [cli] + args
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"FAIL: {' '.join(command)} exited with {result.returncode}:\n{result.stderr}")
    return result


def is_str_dataset(ds):
    info = h5py.check_string_dtype(ds.dtype)
    return info is not None and info.encoding == "utf-8" and info.length is None


def check_units_everywhere(f, path, fail):
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            units, description = obj.attrs.get("units"), obj.attrs.get("description")
            fail.check(isinstance(units, str) and units in UNITS, f"{path}:/{name}: units {units!r} not in {UNITS}")
            fail.check(isinstance(description, str) and description.strip() != "",
                       f"{path}:/{name}: description missing or empty")
            if obj.dtype.kind == "O":
                fail.check(is_str_dataset(obj), f"{path}:/{name}: object dtype that is not variable-length UTF-8")
            if name.endswith("sum_sq"):
                sibling = obj.name[: -len("sum_sq")] + "sum"  # .../sum_sq -> .../sum, x_sum_sq -> x_sum
                base = f[sibling].attrs.get("units") if sibling in f else None
                expected = "1" if base == "1" else f"{base}^2"
                fail.check(units == expected, f"{path}:/{name}: units {units!r}, expected {expected!r}")

    f.visititems(visit)


def check_tally(g, where, fail, histogram=False):
    for key in TALLY:
        if not fail.check(key in g, f"{where}: missing {key}"):
            return
    n = int(g["count"][()])
    s, s2, mean, sd = (float(g[k][()]) for k in ("sum", "sum_sq", "mean", "sd"))
    fail.check(g["count"].dtype == np.int64, f"{where}/count: dtype {g['count'].dtype}")
    if n > 0:
        fail.check(close(mean, s / n), f"{where}: mean {mean} != sum/count {s / n}")
        fail.check(float(g["min"][()]) <= mean + 1e-15 and mean <= float(g["max"][()]) + 1e-15,
                   f"{where}: mean outside [min, max]")
    if n > 1:
        var = max(0.0, (s2 - n * (s / n) ** 2) / (n - 1))
        fail.check(close(sd, math.sqrt(var), rel=1e-9, abs_tol=1e-18), f"{where}: sd {sd} vs {math.sqrt(var)}")
        half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)  # Student t, n - 1 degrees of freedom
        fail.check(close(float(g["ci95_low"][()]), mean - half, rel=1e-9, abs_tol=1e-18), f"{where}: ci95_low")
        fail.check(close(float(g["ci95_high"][()]), mean + half, rel=1e-9, abs_tol=1e-18), f"{where}: ci95_high")
    else:
        fail.check(math.isnan(float(g["ci95_low"][()])), f"{where}: an interval below two values")
    interval = g.attrs.get("interval", b"")
    interval = interval.decode() if isinstance(interval, bytes) else str(interval)
    fail.check(interval == "student-t", f"{where}: interval attribute {interval!r}")
    if histogram:
        fail.check("histogram" in g and isinstance(g["histogram"], h5py.Group), f"{where}: missing histogram group")
        if "histogram" in g:
            h = g["histogram"]
            for key in ("counts", "edges", "underflow", "overflow", "quantiles", "quantile_probabilities"):
                fail.check(key in h, f"{where}/histogram: missing {key}")
            total = int(h["counts"][()].sum()) + int(h["underflow"][()]) + int(h["overflow"][()])
            fail.check(total == n, f"{where}: histogram holds {total} values, count is {n}")
            edges = h["edges"][()]
            fail.check(len(edges) == len(h["counts"][()]) + 1 and np.all(np.diff(edges) > 0), f"{where}: edges")
            g = h
            q = g["quantiles"][()]
            fail.check(np.all(np.diff(q) >= 0), f"{where}: quantiles not sorted: {q}")
            p = g["quantile_probabilities"][()]
            fail.check(len(p) == len(q) and 0.5 in p.tolist(), f"{where}: quantile_probabilities {p}")


def check_population(f, path, name, fail, expect_market):
    where = f"{path}:/population/{name}"
    if not fail.check(f"population/{name}" in f, f"{where}: missing"):
        return
    g = f[f"population/{name}"]
    a = g.attrs
    for key in ("users", "replicates", "seed", "block_size", "blocks", "dynamics_seed", "max_rounds", "realized"):
        fail.check(isinstance(a.get(key), (np.integer, int)), f"{where}@{key}: not an integer")
    for key in ("description", "scenario", "backend", "beta", "value_scale", "v0", "reserve", "optimum",
                "dynamics_rule", "provider_order", "value_curve"):
        fail.check(isinstance(a.get(key), str), f"{where}@{key}: not a str")
    fail.check(a.get("backend") in ("cpu", "cuda"), f"{where}@backend {a.get('backend')!r}")
    U, R = int(a["users"]), int(a["replicates"])
    fail.check(int(a["blocks"]) == -(-U // int(a["block_size"])), f"{where}@blocks inconsistent with users/block_size")
    fail.check("[population]" in a["scenario"] and f"seed = {int(a['seed'])}" in a["scenario"],
               f"{where}@scenario lacks the [population] table with its seed")
    n, K = len(g["providers"]), len(g["theta"])
    fail.check(g["usd_per_token"].shape == (n,), f"{where}/usd_per_token shape")

    b = g["benchmarks"]
    B = len(b["name"])
    for key in ("weight", "alpha", "source", "questions", "questions_dropped"):
        fail.check(b[key].shape == (B,), f"{where}/benchmarks/{key} shape {b[key].shape}")
    fail.check(all(s in ("providers", "curves", "questions") for s in b["source"].asstr()[()]),
               f"{where}/benchmarks/source values")

    r = g["replicates"]
    for key, shape in (("equilibrium_profile", (R, n)), ("shares", (R, n)), ("provider_utility", (R, n)),
                       ("optimal_profile", (R, n)), ("equilibrium_welfare", (R,)), ("optimal_welfare", (R,)),
                       ("optimal_welfare_upper_bound", (R,)), ("first_best_welfare", (R,)),
                       ("price_of_anarchy", (R,)), ("first_best_ratio", (R,)), ("max_regret", (R,)),
                       ("converged", (R,)), ("optimum_method", (R,)), ("realized_welfare_market", (R,)),
                       ("realized_inefficiency_auction", (R,)), ("passes", (R,))):
        fail.check(key in r and r[key].shape == shape, f"{where}/replicates/{key}: missing or shape != {shape}")
    profile = r["equilibrium_profile"][()]
    fail.check(r["equilibrium_profile"].dtype == np.int32 and profile.min() >= 0 and profile.max() < K,
               f"{where}/replicates/equilibrium_profile: not i32 level indices")
    shares, outside = r["shares"][()], r["outside_share"][()]
    fail.check(np.allclose(shares.sum(axis=1), 1.0 - outside, rtol=0, atol=1e-12),
               f"{where}: shares do not sum to 1 - outside_share")
    sw, opt, upper, fb = (r[k][()] for k in ("equilibrium_welfare", "optimal_welfare", "optimal_welfare_upper_bound",
                                               "first_best_welfare"))
    fail.check(np.allclose(r["price_of_anarchy"][()], opt / sw, rtol=REL), f"{where}: price_of_anarchy != SW*/SW")
    fail.check(np.all(sw <= opt * (1 + 1e-12)) and np.all(opt <= upper * (1 + 1e-12)) and
               np.all(upper <= fb * (1 + 1e-12)), f"{where}: not SW <= SW* <= upper bound <= first best")
    methods = set(r["optimum_method"].asstr()[()])
    fail.check(methods <= {"enumeration", "local-search"}, f"{where}: optimum_method {methods}")

    summary = g["summary"]
    for q in ("equilibrium_welfare", "optimal_welfare", "price_of_anarchy", "realized_welfare_market"):
        check_tally(summary[q], f"{where}/summary/{q}", fail)
        fail.check(int(summary[q]["count"][()]) == int(g["converged"][()]),
                   f"{where}/summary/{q}: count != converged replicates")
    fail.check(int(g["converged"][()]) + int(g["non_converged"][()]) == R, f"{where}: converged + non_converged")
    fail.check(close(float(summary["equilibrium_welfare"]["mean"][()]), float(np.mean(sw))),
               f"{where}/summary/equilibrium_welfare mean != mean of the replicate column")

    if int(a["realized"]):
        for regime in ("market", "auction"):
            for q in REGIME_QUANTITIES:
                check_tally(g[regime][q], f"{where}/{regime}/{q}", fail, histogram=q in WITH_HISTOGRAM)
            fail.check(int(g[regime]["welfare"]["count"][()]) == U * R, f"{where}/{regime}: count != users x replicates")
            choices = g[regime]["choices"][()]
            fail.check(choices.shape == (n + 1,) and int(choices.sum()) == U * R, f"{where}/{regime}/choices")
            fail.check(int(g[regime]["correct"]["count"][()]) == int(choices[:n].sum()),
                       f"{where}/{regime}: correct tallied over the served users only")
            profit = g[regime]["provider_profit_sum"][()]
            fail.check(close(float(profit.sum()), float(g[regime]["provider_profit"]["sum"][()]), rel=1e-9),
                       f"{where}/{regime}: provider_profit_sum does not add up to provider_profit/sum")
        check_tally(g["first_best"], f"{where}/first_best", fail)
        # Realized means agree with the expected ones within 5 standard errors.
        m = g["market"]
        fail.check(abs(float(m["welfare"]["mean"][()]) - float(m["expected_welfare"]["mean"][()])) <=
                   5 * float(m["welfare"]["standard_error"][()]), f"{where}: realized vs expected market welfare")
    fail.check(("market" in f and name in f["market"]) == expect_market, f"{path}: /market/{name} presence")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cli", required=True)
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--scratch", required=True)
    args = parser.parse_args()
    os.makedirs(args.scratch, exist_ok=True)
    populations = os.path.join(args.inputs, "populations")

    # A smaller copy of the heterogeneous example, in the scratch directory with its data paths made absolute.
    with open(os.path.join(populations, "gsm8k-heterogeneous.toml")) as handle:
        text = handle.read()
    text = re.sub(r"^users = \d+", "users = 6000", text, flags=re.M)
    text = re.sub(r"^replicates = \d+", "replicates = 3", text, flags=re.M)
    text = text.replace('"../paper/', '"' + os.path.join(os.path.abspath(args.inputs), "paper") + "/")
    small = os.path.join(args.scratch, "heterogeneous.toml")
    files = {k: os.path.join(args.scratch, f"{k}.h5") for k in ("heterogeneous", "mix")}
    for path in files.values():
        if os.path.exists(path):
            os.remove(path)
    with open(small, "w") as handle:
        handle.write(text)
    run(args.cli, ["run", small, "--no-enumerate", "-q", "-o", files["heterogeneous"]])
    run(args.cli, ["population", os.path.join(populations, "math-mix.toml"), "--users", "5000", "--replicates", "2",
                   "-q", "-o", files["mix"]])

    fail = Failures()
    with h5py.File(files["heterogeneous"], "r") as f:
        fail.check(f.attrs.get("format") == "ttcgames-results", "format")
        fail.check(np.asarray(f.attrs["format_version"]).tolist()[0] == 2, "format_version major")
        check_units_everywhere(f, files["heterogeneous"], fail)
        check_population(f, files["heterogeneous"], "gsm8k-heterogeneous", fail, expect_market=True)
        fail.check(f["population/gsm8k-heterogeneous"].attrs["reserve"] == "outside-option", "reserve attribute")
    with h5py.File(files["mix"], "r") as f:
        check_units_everywhere(f, files["mix"], fail)
        check_population(f, files["mix"], "math-mix", fail, expect_market=False)
        b = f["population/math-mix/benchmarks"]
        fail.check(b["name"].asstr()[()].tolist() == ["gsm8k", "aime"], "mix: benchmark names")
        fail.check(b["alpha"][()].tolist() == [0.008, 0.05], "mix: benchmark alphas")

    summary = run(args.cli, ["summary", files["heterogeneous"]])
    fail.check("== population gsm8k-heterogeneous" in summary.stdout and "== gsm8k-heterogeneous" in summary.stdout,
               "summary prints the market and the population")

    if fail.messages:
        print(f"FAIL: {len(fail.messages)} of {fail.checks} checks failed:")
        for message in fail.messages:
            print("  - " + message)
        return 1
    print(f"OK: {fail.checks} checks on {', '.join(os.path.basename(p) for p in files.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

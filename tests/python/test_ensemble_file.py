#!/usr/bin/python3
"""Checks /ensemble/<name> of a result file against docs/hdf5-format.md, from Python (h5py).

    /usr/bin/python3 tests/python/test_ensemble_file.py --cli build/ttcgames --inputs inputs --scratch /tmp/x

Runs `ttcgames ensemble inputs/ensembles/paper-gsm8k-ensemble.toml -n 2000` and checks the layout (attributes,
units and descriptions, shapes, dtypes, padding), the identities between the per-market datasets, the tallies
against the per-market values, the histograms and thresholds, and the exact quantiles against numpy; then draws its figure with
scripts/plot_results.py.
Exit status: 0 on success, 77 (skipped) without numpy/h5py, 1 on failure.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

try:
    import numpy as np
    import h5py
except ImportError as error:
    print(f"SKIP: {error} (install python3-numpy python3-h5py and run with /usr/bin/python3)")
    sys.exit(77)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
from ttcgames._stats import t_quantile  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLOT_SCRIPT = os.path.join(REPO, "scripts", "plot_results.py")
UNITS = {"USD", "token", "1", "1/USD", "s", "percent", "percent^2"}
MARKETS = 2000


class Failures:
    def __init__(self):
        self.messages = []
        self.checks = 0

    def check(self, condition, message):
        self.checks += 1
        if not condition:
            self.messages.append(message)
        return bool(condition)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--scratch", required=True)
    args = parser.parse_args()
    os.makedirs(args.scratch, exist_ok=True)
    path = os.path.join(args.scratch, "ensemble.h5")
    scenario = os.path.join(args.inputs, "ensembles", "paper-gsm8k-ensemble.toml")
    run = subprocess.run([args.cli, "ensemble", scenario, "-n", str(MARKETS), "-o", path, "-q", "--backend", "cpu"],
                         capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stderr)
        return 1
    f = Failures()
    with h5py.File(path, "r") as h:
        f.check(h.attrs["format"] == "ttcgames-results", "root format")
        g = h["ensemble/paper-gsm8k-ensemble"]

        def every_dataset(name, obj):
            if isinstance(obj, h5py.Dataset):
                f.check(obj.attrs.get("units") in UNITS, f"{name}: units {obj.attrs.get('units')!r}")
                f.check(len(obj.attrs.get("description", "")) > 0, f"{name}: description")
        g.visititems(every_dataset)

        for a in ["seed", "markets", "block_size", "blocks", "min_providers", "max_providers", "beta_low", "beta_high",
                  "beta_spacing", "markup_low", "price_jitter", "price_jitter_sigma", "provider_order", "backend",
                  "threads", "seconds", "enumeration_max_profiles", "enumeration_tolerance", "enumeration_algorithm",
                  "stored_markets"]:
            f.check(a in g.attrs, f"attribute {a}")
        f.check(g.attrs["markets"] == MARKETS and g.attrs["seed"] == 1, "markets and seed attributes")
        f.check(g.attrs["blocks"] == -(-MARKETS // g.attrs["block_size"]), "blocks = ceil(markets / block_size)")
        f.check(g.attrs["backend"] == "cpu" and g.attrs["beta_spacing"] == "log", "backend and spacing")

        pool = g["pool_providers"].asstr()[()]
        f.check(len(pool) == 9 and "Qwen2.5-7B" in pool, "pool of the nine GSM8K models")
        f.check(g["pool_usd_per_token"].shape == (9,) and g["theta"].shape == (6,), "pool tables")

        m = g["markets"]
        M, W = MARKETS, int(g.attrs["max_providers"])
        n = m["num_providers"][()]
        prov, factor = m["providers"][()], m["price_factor"][()]
        eq, opt = m["equilibrium_profile"][()], m["optimal_profile"][()]
        f.check(prov.shape == (M, W) and prov.dtype == np.int32, "providers [M, W] i32")
        f.check(factor.shape == (M, W) and factor.dtype == np.float64, "price_factor [M, W] f64")
        f.check(((n >= 3) & (n <= 9)).all(), "n within the range")
        slot = np.arange(W)[None, :]
        inside = slot < n[:, None]
        f.check((prov[~inside] == -1).all() and np.isnan(factor[~inside]).all(), "padding past n")
        f.check((eq[~inside] == -1).all() and (opt[~inside] == -1).all(), "profile padding past n")
        f.check(((prov[inside] >= 0) & (prov[inside] < 9)).all(), "pool indices")
        rows_sorted = all((np.diff(prov[i, :n[i]]) > 0).all() for i in range(M))
        f.check(rows_sorted, "providers distinct and ascending")
        f.check(((eq[inside] >= 0) & (eq[inside] < 6)).all(), "levels in range")
        beta = m["beta"][()]
        f.check(((beta >= 100 * (1 - 1e-12)) & (beta <= 1e5 * (1 + 1e-12))).all(), "beta in its range")
        markup = m["markup"][()]
        f.check(((markup >= 0.1) & (markup <= 0.5)).all(), "markup in its range")
        f.check(abs(np.log(factor[inside]).mean()) < 5 * 0.2 / np.sqrt(inside.sum()), "lognormal jitter median 1")

        sw, swopt, poa = m["equilibrium_welfare"][()], m["optimal_welfare"][()], m["price_of_anarchy"][()]
        f.check(np.allclose(poa, swopt / sw, rtol=1e-15, atol=0), "PoA = SW*/SW")
        f.check((swopt >= sw * (1 - 1e-12)).all(), "SW* >= SW")
        f.check((m["optimum_gap"][()] <= 1e-15).all(), "optimum certified")
        f.check((m["converged"][()] == 1).all(), "dynamics converged")
        aw = m["auction_welfare"][()]
        f.check((aw >= swopt * (1 - 1e-12)).all(), "the auction's welfare is at least the logit optimum (v0 = 0)")
        winner = m["auction_winner"][()]
        f.check(((winner >= 0) & (winner < 9)).all(), "auction winners are pool providers")
        f.check(all(winner[i] in prov[i, :n[i]] for i in range(M)), "the winner is in its market")

        enumerated = m["enumerated"][()].astype(bool)
        f.check(g.attrs["enumeration_algorithm"] == "structural", "structural enumeration by default")
        f.check(g.attrs["enumeration_max_profiles"] == -1 and enumerated.all(), "every market enumerated")
        count = m["num_equilibria"][()]
        # The exhaustive oracle (--enumeration exhaustive) enumerates the markets with 6^n <= its limit, and finds
        # the same equilibria there.
        oracle_path = os.path.join(args.scratch, "ensemble-exhaustive.h5")
        oracle_run = subprocess.run([args.cli, "ensemble", scenario, "-n", str(MARKETS), "-o", oracle_path, "-q",
                                     "--backend", "cpu", "--enumeration", "exhaustive"], capture_output=True, text=True)
        if f.check(oracle_run.returncode == 0, "ensemble --enumeration exhaustive: " + oracle_run.stderr):
            with h5py.File(oracle_path, "r") as o:
                og = o["ensemble/paper-gsm8k-ensemble"]
                small = og["markets/enumerated"][()].astype(bool)
                f.check(og.attrs["enumeration_algorithm"] == "exhaustive", "exhaustive attribute")
                f.check(((6.0 ** n <= og.attrs["enumeration_max_profiles"]) == small).all(),
                        "exhaustive: enumerated iff 6^n <= limit")
                f.check(small.any() and (og["markets/num_equilibria"][()][small] == count[small]).all(),
                        "exhaustive and structural counts agree")
                for key in ["worst_equilibrium_welfare", "best_equilibrium_welfare"]:
                    f.check(np.array_equal(og["markets/" + key][()][small], m[key][()][small], equal_nan=True),
                            f"exhaustive and structural {key} agree")
        f.check((count[~enumerated] == -1).all() and (count[enumerated] >= 1).all(), "equilibrium counts")
        worst, pos = m["price_of_anarchy_worst"][()], m["price_of_stability"][()]
        f.check((worst[enumerated] >= pos[enumerated]).all(), "worst PoA >= PoS")
        f.check((worst[enumerated] >= poa[enumerated] * (1 - 1e-12)).all(), "worst PoA >= reached PoA")
        f.check(np.isnan(worst[~enumerated]).all(), "NaN where not enumerated")

        ineff = 100 * (poa - 1)
        s = g["statistics/inefficiency_percent"]
        f.check(s["count"][()] == M, "tally count")
        f.check(np.isclose(s["sum"][()], ineff.sum(), rtol=1e-12), "tally sum")
        f.check(np.isclose(s["sum_sq"][()], (ineff ** 2).sum(), rtol=1e-12), "tally sum of squares")
        f.check(np.isclose(s["mean"][()], ineff.mean(), rtol=1e-12), "tally mean")
        f.check(np.isclose(s["sd"][()], ineff.std(ddof=1), rtol=1e-9), "tally sd")
        t975 = t_quantile(0.975, M - 1)  # Student t with M - 1 degrees of freedom
        f.check(np.isclose(s["ci95_high"][()] - s["mean"][()], t975 * ineff.std(ddof=1) / np.sqrt(M), rtol=1e-9),
                "Student-t interval")
        f.check(g["converged"][()] + g["non_converged"][()] == M, "converged + non_converged markets")
        f.check(s["min"][()] == ineff.min() and s["max"][()] == ineff.max(), "tally min and max")
        w = g["statistics/worst_inefficiency_percent"]
        f.check(w["count"][()] == enumerated.sum(), "worst-NE tally over enumerated markets")

        hist = g["statistics/inefficiency_percent/histogram"]
        counts, edges = hist["counts"][()], hist["edges"][()]
        f.check(len(edges) == len(counts) + 1, "edges")
        f.check(counts.sum() + hist["underflow"][()] + hist["overflow"][()] == M, "histogram total")
        expected, _ = np.histogram(ineff[ineff < edges[-1]], bins=edges)
        f.check(np.abs(expected - counts).sum() <= 2, "histogram counts (edge rounding aside)")

        thresholds = g["inefficiency_thresholds"][()]
        above = g["markets_above_threshold"][()]
        f.check(all(above[t] == (ineff > thresholds[t]).sum() for t in range(len(thresholds))), "threshold counts")
        f.check(np.allclose(g["fraction_above_threshold"][()], above / M), "threshold fractions")

        probs = g["quantile_probabilities"][()]
        exact = g["statistics/inefficiency_percent/quantiles"][()]
        f.check(np.allclose(exact, np.quantile(ineff, probs), rtol=1e-12), "exact quantiles as numpy")
        binned = g["statistics/inefficiency_percent/histogram/quantiles"][()]
        width = edges[1] - edges[0]
        f.check(np.all(np.abs(binned - exact) <= width + 1e-12), "histogram quantiles within one bin")

        wm = g["worst_markets"][()]
        f.check(wm[0] == int(np.argmax(poa)), "worst market first")
        f.check(np.allclose(g["worst_markets_price_of_anarchy"][()], np.sort(poa)[::-1][:len(wm)]), "worst PoAs")
        f.check(g["num_markets"][()] == M, "num_markets")

    figures = os.path.join(args.scratch, "figures")
    plot = subprocess.run([sys.executable, PLOT_SCRIPT, path, "-o", figures], capture_output=True, text=True)
    f.check(plot.returncode == 0, f"plot_results.py failed: {plot.stderr}")
    f.check(os.path.isfile(os.path.join(figures, "ensemble_paper-gsm8k-ensemble.png")), "the ensemble figure")

    if f.messages:
        for message in f.messages:
            print("FAIL:", message)
        print(f"{len(f.messages)} of {f.checks} checks failed")
        return 1
    print(f"OK: {f.checks} checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())

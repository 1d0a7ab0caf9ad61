#!/usr/bin/python3
"""Checks the result files written by the ttcgames CLI against docs/hdf5-format.md, from Python (h5py).

    /usr/bin/python3 tests/python/test_results_file.py --cli build/ttcgames --inputs inputs --scratch /tmp/x

Writes three files into the scratch directory:
  enumerated.h5  `market gsm8k-majority --beta 200 --beta 1000 --enumerate` (all pure equilibria, 2 betas)
  reasoning.h5   `market aime-reasoning --enumerate` (every beta of the scenario: 3 providers, cheap)
  sweep.h5       `run gsm8k-majority aime-reasoning --no-enumerate` (two scenarios in one file, full sweep)
and checks the root attributes, every dataset's units and description, shapes and dtypes, the identities between
columns, the ragged equilibria encoding, the auction scalars and published values; then runs
scripts/plot_results.py on them. Exit status: 0 on success, 77 (skipped) without numpy/h5py, 1 on failure.
"""

import argparse
import datetime
import math
import os
import re
import subprocess
import sys

try:
    import numpy as np
    import h5py
except ImportError as error:
    print(f"SKIP: {error} (install python3-numpy python3-h5py and run with /usr/bin/python3)")
    sys.exit(77)

try:
    import tomllib  # Python >= 3.11
except ImportError:
    try:
        import toml as tomllib  # python3-toml: same loads()
    except ImportError:
        tomllib = None

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLOT_SCRIPT = os.path.join(REPO, "scripts", "plot_results.py")
UNITS = {"USD", "token", "1", "1/USD", "s"}
PUBLISHED_POA_GSM8K_MAJORITY_200 = 1.2171362137703765  # shared/reference: the paper's 21.7 % at beta = 200
REL = 1e-12


class Failures:
    def __init__(self):
        self.messages = []
        self.checks = 0

    def check(self, condition, message):
        self.checks += 1
        if not condition:
            self.messages.append(message)
        return bool(condition)


def close(a, b, rel=REL, abs_tol=0.0):
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=abs_tol) or (math.isinf(a) and a == b)


def run_cli(cli, args):
    if not (os.path.isfile(cli) and os.access(cli, os.X_OK)):
        raise SystemExit(f"FAIL: the ttcgames executable {cli} does not exist (build the ttcgames_cli target)")
    command = [cli] + args
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"FAIL: {' '.join(command)} exited with {result.returncode}:\n{result.stderr}")
    return command


def is_str_dataset(ds):
    info = h5py.check_string_dtype(ds.dtype)
    return info is not None and info.encoding == "utf-8" and info.length is None


# ------------------------------------------------------------------------------------------------ root


def check_root(f, path, names, fail):
    a = f.attrs
    for key in ("format", "ttcgames_version", "git_commit", "created_utc", "backend", "command_line", "scenario"):
        fail.check(key in a and isinstance(a[key], str), f"{path}: root attribute {key} missing or not a str")
    for key in ("threads", "ranks", "seed"):
        fail.check(key in a and isinstance(a[key], (np.integer, int)), f"{path}: root attribute {key} not an integer")
    fail.check(a.get("format") == "ttcgames-results", f"{path}: format is {a.get('format')!r}")
    version = np.asarray(a.get("format_version", []))
    fail.check(version.dtype.kind == "i" and version.tolist() == [2, 0],
               f"{path}: format_version is {version!r}, expected [2, 0] (integers)")
    fail.check(a.get("ranks") == 1, f"{path}: ranks is {a.get('ranks')}")
    fail.check(a.get("threads", 0) >= 1, f"{path}: threads is {a.get('threads')}")
    created = a.get("created_utc", "")
    ok = re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created) is not None
    if ok:
        try:
            datetime.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            ok = False
    fail.check(ok, f"{path}: created_utc {created!r} is not ISO-8601 UTC (YYYY-MM-DDTHH:MM:SSZ)")
    fail.check(a.get("backend") in ("cpu", "cuda"), f"{path}: backend is {a.get('backend')!r}")

    text = a.get("scenario", "")
    if len(names) > 1:
        parts = re.split(r"^# ---- scenario (.+) ----\n", text, flags=re.M)
        fail.check(parts[0] == "" and parts[1::2] == names,
                   f"{path}: root scenario separators name {parts[1::2]}, expected {names}")
        texts = dict(zip(parts[1::2], parts[2::2]))
    else:
        fail.check("# ---- scenario" not in text, f"{path}: one scenario, yet a separator line")
        texts = {names[0]: text}
    for name in names:
        group_text = f["market"][name].attrs.get("scenario")
        fail.check(group_text == texts.get(name),
                   f"{path}: /market/{name}@scenario differs from its part of the root scenario attribute")
        if tomllib is not None and group_text is not None:
            try:
                parsed = tomllib.loads(group_text)
                fail.check(parsed.get("name") == name and parsed.get("format") == "ttcgames-scenario",
                           f"{path}: /market/{name}@scenario parses but names {parsed.get('name')!r}")
            except Exception as error:  # noqa: BLE001 - any parser error is a failure
                fail.check(False, f"{path}: /market/{name}@scenario is not valid TOML: {error}")


def check_units_everywhere(f, path, fail):
    seen = []

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            seen.append(name)
            units = obj.attrs.get("units")
            description = obj.attrs.get("description")
            fail.check(isinstance(units, str) and units in UNITS, f"{path}:/{name}: units {units!r} not in {UNITS}")
            fail.check(isinstance(description, str) and description.strip() != "",
                       f"{path}:/{name}: description missing or empty")
            if obj.dtype.kind == "O":
                fail.check(is_str_dataset(obj), f"{path}:/{name}: object dtype that is not variable-length UTF-8")
            if obj.dtype.kind in "fiu":
                fail.check(obj.dtype.byteorder in ("<", "=", "|"), f"{path}:/{name}: not little-endian")

    f.visititems(visit)
    fail.check(len(seen) > 0, f"{path}: no datasets at all")


# ------------------------------------------------------------------------------------------------ market


def expect(g, name, dtype, shape, fail, where):
    if not fail.check(name in g, f"{where}: dataset {name} missing"):
        return None
    ds = g[name]
    fail.check(ds.dtype == np.dtype(dtype), f"{where}/{name}: dtype {ds.dtype}, expected {np.dtype(dtype)}")
    fail.check(ds.shape == shape, f"{where}/{name}: shape {ds.shape}, expected {shape}")
    return ds[()]


def check_market(f, path, name, enumerated, fail):
    where = f"{path}:/market/{name}"
    g = f["market"][name]
    for key in ("description", "scenario", "scenario_file", "value_curve", "dynamics_rule", "provider_order",
                "backend"):
        fail.check(isinstance(g.attrs.get(key), str), f"{where}@{key} missing or not a str")
    for key in ("alpha", "baseline", "markup", "v0", "tolerance", "absolute_tolerance", "seconds"):
        fail.check(isinstance(g.attrs.get(key), (float, np.floating)), f"{where}@{key} missing or not a float")
    for key in ("seed", "max_rounds", "enumerated"):
        fail.check(isinstance(g.attrs.get(key), (np.integer, int)), f"{where}@{key} missing or not an integer")
    fail.check(g.attrs.get("enumerated") == (1 if enumerated else 0), f"{where}@enumerated is {g.attrs.get('enumerated')}")

    providers = g["providers"]
    fail.check(is_str_dataset(providers), f"{where}/providers: not variable-length UTF-8 strings")
    names = list(providers.asstr()[()])
    fail.check(all(isinstance(p, str) and p for p in names), f"{where}/providers: do not decode as non-empty str")
    n, K, B = len(names), g["theta"].shape[0], g["beta"].shape[0]
    fail.check(providers.shape == (n,), f"{where}/providers: shape {providers.shape}")
    theta = expect(g, "theta", "f8", (K,), fail, where)
    fail.check(theta is not None and np.all(np.diff(theta) > 0), f"{where}/theta: not increasing")
    expect(g, "usd_per_token", "f8", (n,), fail, where)
    table = {k: expect(g, k, "f8", (n, K), fail, where)
             for k in ("accuracy", "tokens", "quality", "price", "cost", "user_value", "surplus")}
    if all(v is not None for v in table.values()):
        fail.check(np.allclose(table["user_value"], table["quality"] - table["price"], rtol=0, atol=1e-15),
                   f"{where}: user_value != quality - price")
        fail.check(np.allclose(table["surplus"], table["quality"] - table["cost"], rtol=0, atol=1e-15),
                   f"{where}: surplus != quality - cost")

    beta = expect(g, "beta", "f8", (B,), fail, where)
    listed = np.asarray(g["beta_values"][()] if "beta_values" in g else [], dtype=float)
    profile = expect(g, "equilibrium_profile", "i4", (B, n), fail, where)
    optimal_profile = expect(g, "optimal_profile", "i4", (B, n), fail, where)
    for label, p in (("equilibrium_profile", profile), ("optimal_profile", optimal_profile)):
        if p is not None:
            fail.check(np.all((p >= 0) & (p < K)), f"{where}/{label}: level outside 0..{K - 1}")
    col = {k: expect(g, k, "f8", (B,), fail, where)
           for k in ("equilibrium_welfare", "optimal_welfare", "optimum_gap", "price_of_anarchy", "max_regret",
                     "max_relative_regret", "outside_share", "potential", "weighted_value", "mean_value",
                     "weighted_price", "mean_price", "weighted_utility", "mean_utility")}
    shares = expect(g, "shares", "f8", (B, n), fail, where)
    expect(g, "rounds", "i4", (B,), fail, where)
    expect(g, "turns", "i8", (B,), fail, where)
    expect(g, "moves", "i8", (B,), fail, where)
    converged = expect(g, "converged", "u1", (B,), fail, where)
    if converged is not None:
        fail.check(np.all(converged == 1), f"{where}/converged: dynamics did not converge at some beta")

    if shares is not None and col["outside_share"] is not None:
        err = np.max(np.abs(shares.sum(axis=1) - (1.0 - col["outside_share"])))
        fail.check(err <= 1e-12, f"{where}: shares rows do not sum to 1 - outside_share (max error {err:.3g})")
        fail.check(np.all(shares >= 0), f"{where}/shares: negative share")
    eq, opt, poa = col["equilibrium_welfare"], col["optimal_welfare"], col["price_of_anarchy"]
    if eq is not None and opt is not None and poa is not None:
        fail.check(np.all(poa >= 1 - 1e-12), f"{where}/price_of_anarchy: below 1 (min {poa.min()!r})")
        for j in range(B):
            expected = opt[j] / eq[j] if eq[j] > 0 else (1.0 if opt[j] == eq[j] else math.inf)
            fail.check(close(poa[j], expected), f"{where}/price_of_anarchy[{j}] = {poa[j]!r} != SW*/SW = {expected!r}")
        fail.check(np.all(eq <= opt * (1 + 1e-12)), f"{where}: equilibrium_welfare above optimal_welfare")
    if shares is not None and profile is not None and table["surplus"] is not None and eq is not None:
        rows = np.arange(n)
        v0 = float(g.attrs.get("v0", 0.0))
        for j in range(B):
            sw = float(np.sum(shares[j] * table["surplus"][rows, profile[j]])) + col["outside_share"][j] * v0
            fail.check(close(sw, eq[j], rel=1e-9, abs_tol=1e-15),
                       f"{where}: beta[{j}] equilibrium_welfare {eq[j]!r} != sum_i s_i W_i = {sw!r}")
            wv = float(np.sum(shares[j] * table["user_value"][rows, profile[j]]))
            fail.check(close(wv, col["weighted_value"][j], rel=1e-9, abs_tol=1e-15),
                       f"{where}: beta[{j}] weighted_value != sum_i s_i V_i")

    if enumerated:
        check_enumeration(g, where, n, K, B, profile, eq, opt, col["max_relative_regret"], fail)
    else:
        for key in ("num_equilibria", "equilibria", "equilibria_offsets", "price_of_anarchy_worst"):
            fail.check(key not in g, f"{where}: {key} present although not enumerated")
    return {"n": n, "K": K, "B": B, "beta": beta, "listed": listed, "profile": profile, "poa": poa,
            "providers": names}


def check_enumeration(g, where, n, K, B, profile, eq, opt, relative_regret, fail):
    count = expect(g, "num_equilibria", "i8", (B,), fail, where)
    worst = expect(g, "worst_equilibrium_welfare", "f8", (B,), fail, where)
    best = expect(g, "best_equilibrium_welfare", "f8", (B,), fail, where)
    worst_profile = expect(g, "worst_equilibrium_profile", "i4", (B, n), fail, where)
    best_profile = expect(g, "best_equilibrium_profile", "i4", (B, n), fail, where)
    poa_worst = expect(g, "price_of_anarchy_worst", "f8", (B,), fail, where)
    pos = expect(g, "price_of_stability", "f8", (B,), fail, where)
    fail.check(isinstance(g.attrs.get("enumeration_tolerance"), (float, np.floating)),
               f"{where}@enumeration_tolerance missing")
    if any(v is None for v in (count, worst, best, worst_profile, best_profile, poa_worst, pos)):
        return
    fail.check(np.all(count >= 1), f"{where}/num_equilibria: a beta without pure equilibria ({count.min()})")
    tol = 1e-12
    fail.check(np.all(worst <= eq * (1 + tol) + 1e-18), f"{where}: worst_equilibrium_welfare above equilibrium_welfare")
    fail.check(np.all(eq <= best * (1 + tol) + 1e-18), f"{where}: equilibrium_welfare above best_equilibrium_welfare")
    fail.check(np.all(best <= opt * (1 + tol) + 1e-18), f"{where}: best_equilibrium_welfare above optimal_welfare")
    for j in range(B):
        fail.check(close(poa_worst[j], opt[j] / worst[j]), f"{where}/price_of_anarchy_worst[{j}] != SW*/worst")
        fail.check(close(pos[j], opt[j] / best[j]), f"{where}/price_of_stability[{j}] != SW*/best")

    if not fail.check("equilibria" in g and "equilibria_offsets" in g, f"{where}: equilibria datasets missing"):
        return
    stored = g["equilibria"][()]
    offsets = g["equilibria_offsets"][()]
    fail.check(g["equilibria"].dtype == np.int32 and stored.ndim == 2 and stored.shape[1] == n,
               f"{where}/equilibria: dtype {stored.dtype}, shape {stored.shape}, expected int32 [rows, {n}]")
    fail.check(g["equilibria_offsets"].dtype == np.int64 and offsets.shape == (B + 1,),
               f"{where}/equilibria_offsets: dtype {offsets.dtype}, shape {offsets.shape}, expected int64 ({B + 1},)")
    if offsets.shape != (B + 1,) or stored.ndim != 2:
        return
    fail.check(offsets[0] == 0 and np.all(np.diff(offsets) >= 0) and offsets[-1] == stored.shape[0],
               f"{where}/equilibria_offsets: not monotone from 0 to the rows of equilibria ({offsets.tolist()[:5]}...)")
    fail.check(np.all((stored >= 0) & (stored < K)), f"{where}/equilibria: level outside 0..{K - 1}")
    fail.check(np.all(np.diff(offsets) <= count), f"{where}: more stored equilibria than num_equilibria")
    for j in range(B):
        rows = stored[offsets[j]:offsets[j + 1]]
        if len(rows) != count[j]:
            continue  # truncated at max_stored: membership cannot be checked
        as_set = {tuple(r) for r in rows}
        index = [int(np.ravel_multi_index(tuple(r), (K,) * n)) for r in rows]
        fail.check(index == sorted(index), f"{where}: equilibria of beta[{j}] not in ascending profile index")
        # The dynamics stop at tolerance 1e-8 relative, 1e-9 USD absolute: where a provider's share underflows
        # to 0 the reached profile can be no exact equilibrium (max_relative_regret = inf), the enumeration
        # compares log-utilities and does not count it. Elsewhere the reached profile is one of the equilibria.
        tolerance = float(g.attrs.get("enumeration_tolerance", 1e-8))
        if relative_regret is not None and relative_regret[j] <= 0.1 * tolerance:
            fail.check(tuple(profile[j]) in as_set,
                       f"{where}: reached profile of beta[{j}] (max_relative_regret {relative_regret[j]:.3g}) "
                       "is not a stored equilibrium")
        fail.check(tuple(worst_profile[j]) in as_set and tuple(best_profile[j]) in as_set,
                   f"{where}: worst/best equilibrium profile of beta[{j}] not among the stored equilibria")


# ------------------------------------------------------------------------------------------------ auction


def check_auction(f, path, name, market, fail):
    where = f"{path}:/auction/{name}"
    if not fail.check("auction" in f and name in f["auction"], f"{where}: group missing"):
        return None
    a = f["auction"][name]
    fail.check(isinstance(a.attrs.get("reserve"), str), f"{where}@reserve missing or not a str")
    fail.check(isinstance(a.attrs.get("v0"), (float, np.floating)), f"{where}@v0 missing or not a float")
    for key in ("winner", "runner_up"):
        if fail.check(key in a and a[key].shape == () and is_str_dataset(a[key]),
                      f"{where}/{key}: not a scalar variable-length UTF-8 string"):
            fail.check(isinstance(a[key].asstr()[()], str), f"{where}/{key}: does not decode as str")
    scalars = {}
    for key, dtype in (("winner_index", "i4"), ("runner_up_index", "i4"), ("trade", "u1"), ("welfare", "f8"),
                       ("user_value", "f8"), ("price", "f8"), ("winner_utility", "f8")):
        value = expect(a, key, dtype, (), fail, where)
        scalars[key] = value
    n = market["n"]
    choice = expect(a, "theta_index_choice", "i4", (n,), fail, where)
    scores = expect(a, "scores", "f8", (n,), fail, where)
    if any(v is None for v in scalars.values()) or choice is None or scores is None:
        return None
    winner = a["winner"].asstr()[()]
    runner = a["runner_up"].asstr()[()]
    wi, ri = int(scalars["winner_index"]), int(scalars["runner_up_index"])
    if wi >= 0:
        fail.check(scalars["trade"] == 1, f"{where}: winner but trade == 0")
        fail.check(winner == market["providers"][wi], f"{where}: winner {winner!r} != providers[{wi}]")
        fail.check(runner == (market["providers"][ri] if ri >= 0 else "outside-option"),
                   f"{where}: runner_up {runner!r} does not match runner_up_index {ri}")
        fail.check(close(scalars["welfare"], scores[wi]), f"{where}: welfare != scores[winner_index]")
        if ri >= 0:
            fail.check(close(scalars["user_value"], scores[ri]), f"{where}: user_value != scores[runner_up_index]")
        fail.check(close(scalars["winner_utility"], scalars["welfare"] - scalars["user_value"], rel=1e-9),
                   f"{where}: winner_utility != welfare - user_value")
        fail.check(np.max(scores) == scores[wi], f"{where}: the winner does not have the highest score")
    else:
        fail.check(scalars["trade"] == 0 and winner == "" and runner == "",
                   f"{where}: no trade expects trade 0 and empty winner/runner_up")
    return {"winner": winner, "runner_up": runner}


# ------------------------------------------------------------------------------------------------ files


def check_file(path, names, enumerated, fail):
    """names: the scenarios in command-line order (the order of the root scenario attribute)."""
    if not fail.check(os.path.isfile(path), f"{path}: not written"):
        return {}
    leftovers = [e for e in os.listdir(os.path.dirname(path)) if ".tmp-" in e]
    fail.check(not leftovers, f"{path}: temporary files left behind: {leftovers}")
    out = {}
    with h5py.File(path, "r") as f:
        fail.check(sorted(f.keys()) == ["auction", "market"], f"{path}: top-level groups {sorted(f.keys())}")
        fail.check(sorted(f["market"].keys()) == sorted(names), f"{path}: /market holds {sorted(f['market'].keys())}")
        names = [n for n in names if n in f["market"]]
        fail.check(sorted(f["auction"].keys()) == sorted(names), f"{path}: /auction holds {sorted(f['auction'].keys())}")
        check_root(f, path, names, fail)
        check_units_everywhere(f, path, fail)
        for name in names:
            market = check_market(f, path, name, enumerated, fail)
            market["auction"] = check_auction(f, path, name, market, fail)
            out[name] = market
    return out


def check_published(path, market, fail, expect_listed):
    """gsm8k-majority at beta = 200: every provider at 64 samples, PoA 1.2171362137703765, auction Qwen2.5-7B."""
    beta = market["beta"]
    rows = np.flatnonzero(beta == 200.0)
    if not fail.check(len(rows) >= 1, f"{path}: gsm8k-majority has no beta = 200 row"):
        return
    j = rows[0]
    fail.check(np.all(market["profile"][j] == 5), f"{path}: gsm8k-majority beta=200 profile {market['profile'][j]}")
    fail.check(close(market["poa"][j], PUBLISHED_POA_GSM8K_MAJORITY_200),
               f"{path}: gsm8k-majority beta=200 PoA {market['poa'][j]!r} != {PUBLISHED_POA_GSM8K_MAJORITY_200!r}")
    auction = market.get("auction") or {}
    fail.check(auction.get("winner") == "Qwen2.5-7B", f"{path}: gsm8k-majority auction winner {auction.get('winner')!r}")
    if expect_listed:
        L = len(market["listed"])
        fail.check(market["B"] > L and np.array_equal(beta[:L], market["listed"]),
                   f"{path}: beta does not start with the listed beta_values {market['listed'].tolist()}")


def check_plots(path, scratch, expected_groups, fail):
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("SKIP (plots): matplotlib is missing (apt-get install python3-matplotlib)")
        return
    out_dir = os.path.join(scratch, "figures_" + os.path.splitext(os.path.basename(path))[0])
    result = subprocess.run([sys.executable, PLOT_SCRIPT, path, "-o", out_dir], capture_output=True, text=True)
    if not fail.check(result.returncode == 0, f"plot_results.py {path} failed ({result.returncode}):\n{result.stderr}"):
        return
    listed = [line for line in result.stdout.splitlines() if line.strip()]
    expected = [os.path.join(out_dir, f"{kind}_{group}.png") for group in expected_groups
                for kind in ("value_curves", "inefficiency", "profiles", "market_vs_auction")]
    fail.check(sorted(listed) == sorted(expected), f"plot_results.py printed {listed}, expected {expected}")
    for png in expected:
        ok = os.path.isfile(png) and os.path.getsize(png) > 1000
        if ok:
            with open(png, "rb") as handle:
                ok = handle.read(8) == b"\x89PNG\r\n\x1a\n"
        fail.check(ok, f"{png}: missing, empty or not a PNG")


def check_timing(path, names, fail):
    """The root `seconds` is the whole run's wall time; each scenario's `seconds` its own compute time."""
    with h5py.File(path, "r") as f:
        total = f.attrs.get("seconds")
        threads = f.attrs.get("threads", 1)
        fail.check(isinstance(total, (float, np.floating)) and total > 0, f"{path}: root seconds {total!r}")
        own = [f["market"][n].attrs.get("seconds") for n in names]
        fail.check(all(s > 0 for s in own), f"{path}: scenario seconds {own}")
        fail.check(len(set(own)) == len(own) and total not in own,
                   f"{path}: scenario seconds {own} and the run's {total} are not each their own")
        fail.check(sum(own) <= threads * total * 1.01 + 1e-3,
                   f"{path}: scenario seconds {own} exceed {threads} threads x the run's {total} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cli", required=True, help="the ttcgames executable")
    parser.add_argument("--inputs", required=True, help="the repository's inputs/ directory")
    parser.add_argument("--scratch", required=True, help="a directory for the files (created)")
    args = parser.parse_args()
    os.makedirs(args.scratch, exist_ok=True)
    paper = os.path.join(args.inputs, "paper")
    gsm8k, aime = os.path.join(paper, "gsm8k-majority.toml"), os.path.join(paper, "aime-reasoning.toml")
    files = {k: os.path.join(args.scratch, f"{k}.h5") for k in ("enumerated", "reasoning", "sweep")}
    for path in files.values():
        if os.path.exists(path):
            os.remove(path)

    run_cli(args.cli, ["market", gsm8k, "--beta", "200", "--beta", "1000", "--enumerate", "-q",
                       "-o", files["enumerated"]])
    run_cli(args.cli, ["market", aime, "--enumerate", "-q", "-o", files["reasoning"]])
    run_cli(args.cli, ["run", gsm8k, aime, "--no-enumerate", "-q", "-o", files["sweep"]])

    fail = Failures()
    enumerated = check_file(files["enumerated"], ["gsm8k-majority"], True, fail)
    if "gsm8k-majority" in enumerated:
        fail.check(enumerated["gsm8k-majority"]["beta"].tolist() == [200.0, 1000.0],
                   f"{files['enumerated']}: beta is {enumerated['gsm8k-majority']['beta'].tolist()}")
        check_published(files["enumerated"], enumerated["gsm8k-majority"], fail, expect_listed=False)
    check_file(files["reasoning"], ["aime-reasoning"], True, fail)
    sweep = check_file(files["sweep"], ["gsm8k-majority", "aime-reasoning"], False, fail)
    if "gsm8k-majority" in sweep:
        check_published(files["sweep"], sweep["gsm8k-majority"], fail, expect_listed=True)

    check_timing(files["sweep"], ["gsm8k-majority", "aime-reasoning"], fail)

    check_plots(files["sweep"], args.scratch, ["aime", "gsm8k"], fail)
    check_plots(files["enumerated"], args.scratch, ["gsm8k"], fail)

    if tomllib is None:
        print("note: no tomllib/toml module, the scenario attributes were not parsed")
    if fail.messages:
        print(f"FAIL: {len(fail.messages)} of {fail.checks} checks failed:")
        for message in fail.messages:
            print("  - " + message)
        return 1
    print(f"OK: {fail.checks} checks on {', '.join(os.path.basename(p) for p in files.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

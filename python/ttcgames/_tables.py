"""The tidy pandas tables of a result file (docs/python.md lists their columns)."""

import h5py
import numpy as np
import pandas as pd

from ._h5 import as_str, attributes, columns, listed_count, quantile_columns, read, scalars
from ._stats import interval_columns

# Per-beta columns of /market/<s> that are copied as they are (docs/hdf5-format.md, "One row per beta").
MARKET_COLUMNS = ("equilibrium_welfare", "optimal_welfare", "optimum_gap", "price_of_anarchy", "max_regret",
                  "max_relative_regret", "potential", "rounds", "turns", "moves", "converged", "outside_share",
                  "weighted_value", "mean_value", "weighted_price", "mean_price", "weighted_utility", "mean_utility")
ENUMERATION_COLUMNS = ("num_equilibria", "worst_equilibrium_welfare", "best_equilibrium_welfare",
                       "price_of_anarchy_worst", "price_of_stability")
PROFILE_COLUMNS = ("equilibrium_profile", "optimal_profile", "worst_equilibrium_profile", "best_equilibrium_profile")
AUCTION_COLUMNS = ("winner", "runner_up", "winner_index", "runner_up_index", "trade", "welfare", "user_value", "price",
                   "winner_utility")
REGIMES = ("market", "auction")


def names(f, kind):
    return list(f[kind]) if kind in f and isinstance(f[kind], h5py.Group) else []


def inefficiency(poa):
    """100·(PoA − 1) percent (+inf stays +inf)."""
    return 100.0 * (np.asarray(poa, dtype=float) - 1.0)


def _profile_tuples(levels, theta):
    """Level indices [rows, n] -> (tuples of indices, tuples of theta); −1 (no such profile) -> None."""
    indices, thetas = [], []
    for row in np.atleast_2d(levels):
        if np.any(row < 0):
            indices.append(None)
            thetas.append(None)
        else:
            indices.append(tuple(int(k) for k in row))
            thetas.append(tuple(float(theta[k]) for k in row))
    return indices, thetas


def auction_row(f, scenario):
    """The auction of a scenario as {"auction_<name>": value} (empty when the file has no /auction/<scenario>)."""
    if scenario not in names(f, "auction"):
        return {}
    a = f["auction"][scenario]
    row = {"auction_reserve": as_str(a.attrs.get("reserve", ""))}
    for column in AUCTION_COLUMNS:
        if column in a:
            value = read(a[column])
            row[f"auction_{column}"] = bool(value) if column == "trade" else value
    return row


def markets(f):
    """One row per scenario × beta of every /market/<scenario>."""
    frames = []
    for scenario in names(f, "market"):
        g = f["market"][scenario]
        beta = g["beta"][()]
        B = len(beta)
        theta = g["theta"][()]
        listed = listed_count(beta, g["beta_values"][()] if "beta_values" in g else g.attrs.get("beta_values"))
        table = {"scenario": [scenario] * B, "beta": beta, "row": np.arange(B), "listed": np.arange(B) < listed}
        for column in MARKET_COLUMNS:
            if column in g:
                table[column] = g[column][()]
        table["converged"] = table["converged"].astype(bool) if "converged" in table else np.ones(B, bool)
        table["inefficiency_percent"] = inefficiency(table["price_of_anarchy"])
        enumerated = bool(g.attrs.get("enumerated", 0)) and "num_equilibria" in g
        table["enumerated"] = np.full(B, enumerated)
        for column in ENUMERATION_COLUMNS:
            if enumerated:
                table[column] = g[column][()]
            else:
                table[column] = (pd.array([pd.NA] * B, dtype="Int64") if column == "num_equilibria"
                                 else np.full(B, np.nan))
        if enumerated:
            table["worst_inefficiency_percent"] = inefficiency(table["price_of_anarchy_worst"])
            table["num_equilibria"] = pd.array(table["num_equilibria"], dtype="Int64")
        else:
            table["worst_inefficiency_percent"] = np.full(B, np.nan)
        for column in PROFILE_COLUMNS:
            if column in g:
                indices, thetas = _profile_tuples(g[column][()], theta)
            else:
                indices, thetas = [None] * B, [None] * B
            table[column] = indices
            table[column.replace("profile", "theta")] = thetas
        frame = pd.DataFrame(table)
        for key, value in auction_row(f, scenario).items():
            frame[key] = [value] * B
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["scenario", "beta", "row", "listed", *MARKET_COLUMNS, "inefficiency_percent"])
    return pd.concat(frames, ignore_index=True)


def profiles(f):
    """One row per scenario × beta × provider: the level each provider plays (reached, optimal), its share."""
    frames = []
    for scenario in names(f, "market"):
        g = f["market"][scenario]
        beta = g["beta"][()]
        providers = read(g["providers"])
        theta = g["theta"][()]
        B, n = len(beta), len(providers)
        table = {"scenario": scenario, "beta": np.repeat(beta, n), "row": np.repeat(np.arange(B), n),
                 "provider": np.tile(providers, B), "provider_index": np.tile(np.arange(n), B)}
        for column in PROFILE_COLUMNS:
            if column not in g:
                continue
            levels = g[column][()].reshape(-1)
            stem = column.replace("_profile", "")
            table[f"{stem}_level"] = levels
            table[f"{stem}_theta"] = np.where(levels >= 0, theta[np.clip(levels, 0, None)], np.nan)
        table["share"] = g["shares"][()].reshape(-1)
        frames.append(pd.DataFrame(table))
    if not frames:
        return pd.DataFrame(columns=["scenario", "beta", "row", "provider", "provider_index", "equilibrium_level"])
    return pd.concat(frames, ignore_index=True)


def auctions(f):
    """One row per /auction/<scenario>."""
    rows = []
    for scenario in names(f, "auction"):
        row = {"scenario": scenario}
        row.update({k.replace("auction_", "", 1): v for k, v in auction_row(f, scenario).items()})
        row["v0"] = float(f["auction"][scenario].attrs.get("v0", np.nan))
        rows.append(row)
    return pd.DataFrame(rows, columns=None if rows else ["scenario", "reserve", "winner", "trade", "welfare"])


def populations(f):
    """One row per population × replicate (the replicates/ datasets; profiles as tuples of level indices)."""
    frames = []
    for scenario in names(f, "population"):
        g = f["population"][scenario]
        r = g["replicates"]
        R = r["replicate"].shape[0]
        theta = g["theta"][()]
        table = {"scenario": [scenario] * R}
        for name, ds in columns(r, keep=("replicate",)):
            value = read(ds)
            if name.endswith("_profile"):
                indices, thetas = _profile_tuples(value, theta)
                table[name] = indices
                table[name.replace("profile", "theta")] = thetas
            elif isinstance(value, np.ndarray) and value.ndim == 2:
                table[name] = [tuple(float(x) for x in row) for row in value]
            else:
                table[name] = value
        if "converged" in table:
            table["converged"] = np.asarray(table["converged"]).astype(bool)
        table["inefficiency_percent"] = inefficiency(table["price_of_anarchy"])
        table["users"] = [int(g.attrs.get("users", 0))] * R
        frames.append(pd.DataFrame(table))
    if not frames:
        return pd.DataFrame(columns=["scenario", "replicate", "equilibrium_welfare", "optimal_welfare",
                                     "price_of_anarchy"])
    return pd.concat(frames, ignore_index=True)


STATISTIC_COLUMNS = ("count", "sum", "sum_sq", "min", "max", "mean", "sd", "standard_error", "ci95_low", "ci95_high")


def statistic_row(group):
    """A statistic group's columns (docs/hdf5-format.md): count, sum, sum_sq, min, max and the mean, sd,
    standard_error and Student-t ci95_low/ci95_high recomputed from the sums (format 1 files stored normal
    intervals, and ensembles `std` and `ci95_half_width`: they read with the same columns as format 2)."""
    stored = scalars(group)
    row = {"count": int(stored["count"]), "sum": float(stored["sum"]), "sum_sq": float(stored["sum_sq"]),
           "min": float(stored.get("min", np.nan)), "max": float(stored.get("max", np.nan))}
    row.update(interval_columns(row["count"], row["sum"], row["sum_sq"]))
    return row


def tally_row(group):
    """A statistic group's columns, its quantiles as q<p> columns (exact ones, else the histogram's; column
    `quantiles` says which), units and description."""
    row = statistic_row(group)
    if "quantile_probabilities" in group and "quantiles" in group:
        row.update(quantile_columns(group["quantile_probabilities"][()], group["quantiles"][()]))
        row["quantiles"] = "histogram" if "histogram_range" in group else "exact"
    elif "histogram" in group and isinstance(group["histogram"], h5py.Group) and "quantiles" in group["histogram"]:
        h = group["histogram"]
        row.update(quantile_columns(h["quantile_probabilities"][()], h["quantiles"][()]))
        row["quantiles"] = "histogram"
    row["units"] = as_str(group.attrs.get("units", ""))
    row["description"] = as_str(group.attrs.get("description", ""))
    return row


def _population_convergence(g):
    """(converged, non_converged) replicates of a population group (format 1: from replicates/converged)."""
    if "converged" in g and "non_converged" in g:
        return int(g["converged"][()]), int(g["non_converged"][()])
    flags = np.asarray(g["replicates"]["converged"][()]).astype(bool)
    return int(flags.sum()), int((~flags).sum())


def population_tallies(f):
    """One row per population × regime × quantity: the per-user tallies of the market and the auction, the first
    best (regime "first_best") and the over-replicate summaries (regime "replicates")."""
    rows = []
    for scenario in names(f, "population"):
        g = f["population"][scenario]
        converged, non_converged = _population_convergence(g)
        before = len(rows)
        for regime in REGIMES:
            if regime not in g:
                continue
            for quantity, sub in g[regime].items():
                if isinstance(sub, h5py.Group):
                    rows.append({"scenario": scenario, "regime": regime, "quantity": quantity, **tally_row(sub)})
        if "first_best" in g:
            rows.append({"scenario": scenario, "regime": "first_best", "quantity": "first_best",
                         **tally_row(g["first_best"])})
        if "summary" in g:
            for quantity, sub in g["summary"].items():
                if isinstance(sub, h5py.Group):
                    rows.append({"scenario": scenario, "regime": "replicates", "quantity": quantity,
                                 **tally_row(sub)})
        for row in rows[before:]:
            row["converged"], row["non_converged"] = converged, non_converged
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=["scenario", "regime", "quantity", "mean"])


def population_histogram(f, scenario, regime, quantity):
    """The histogram of a per-user tally as a table of bins (lo, hi, count, fraction); under- and overflow as
    attributes of the frame (frame.attrs)."""
    g = f["population"][scenario][regime][quantity]
    if isinstance(g["histogram"], h5py.Group):  # format 2: a histogram group
        h = g["histogram"]
        counts, edges = h["counts"][()], h["edges"][()]
        under, over = int(h["underflow"][()]), int(h["overflow"][()])
    else:  # format 1: datasets of the tally group
        counts = g["histogram"][()]
        lo, hi = g["histogram_range"][()]
        edges = np.linspace(lo, hi, len(counts) + 1)
        under, over = int(g["underflow"][()]), int(g["overflow"][()])
    total = int(g["count"][()])
    frame = pd.DataFrame({"lo": edges[:-1], "hi": edges[1:], "count": counts,
                          "fraction": counts / total if total else np.zeros(len(counts))})
    frame.attrs.update({"underflow": under, "overflow": over, "count": total,
                        "units": as_str(g.attrs.get("units", ""))})
    return frame


def ensembles(f):
    """One row per ensemble × tallied quantity: count, mean, sd, confidence interval, min, max and quantiles
    (exact ones when the markets are stored: column quantiles = "exact", else from the histogram)."""
    rows = []
    for name in names(f, "ensemble"):
        g = f["ensemble"][name]
        probabilities = g["quantile_probabilities"][()]
        converged, non_converged = _ensemble_convergence(g)
        for quantity, sub in g["statistics"].items():
            if not isinstance(sub, h5py.Group):
                continue
            row = {"ensemble": name, "quantity": quantity, **tally_row(sub), "converged": converged,
                   "non_converged": non_converged}
            if "quantiles" not in row:  # format 1: quantiles beside the statistics
                for source, label in (("quantiles_exact", "exact"), ("quantiles", "histogram")):
                    if source in g and quantity in g[source]:
                        row.update(quantile_columns(probabilities, g[source][quantity][()]))
                        row["quantiles"] = label
                        break
            rows.append(row)
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=["ensemble", "quantity", "count", "mean"])


def _ensemble_convergence(g):
    """(converged, non_converged) markets of an ensemble group (format 1 stored not_converged only)."""
    markets = int(g["num_markets"][()])
    non_converged = int(g["non_converged"][()] if "non_converged" in g else g["not_converged"][()])
    return markets - non_converged, non_converged


def ensemble_counts(f):
    """One row per ensemble: markets, the counts (not converged, infinite PoA, enumerated, without NE, no trade),
    the draws' settings (group attributes) and the share of markets above each inefficiency threshold."""
    rows = []
    for name in names(f, "ensemble"):
        g = f["ensemble"][name]
        row = {"ensemble": name}
        row.update({k: v for k, v in attributes(g).items() if k != "scenario"})
        row.update(scalars(g))
        row["converged"], row["non_converged"] = _ensemble_convergence(g)
        row.pop("not_converged", None)
        for t, count, share in zip(g["inefficiency_thresholds"][()], g["markets_above_threshold"][()],
                                   g["fraction_above_threshold"][()]):
            row[f"markets_above_{t:g}_percent"] = int(count)
            row[f"fraction_above_{t:g}_percent"] = float(share)
        rows.append(row)
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=["ensemble", "num_markets"])


def ensemble_markets(f):
    """One row per ensemble × stored market: the draws and the solution (docs/hdf5-format.md, markets/); the
    per-slot columns as tuples over the market's n providers (pool indices, price factors, profiles)."""
    frames = []
    for name in names(f, "ensemble"):
        g = f["ensemble"][name]
        if "markets" not in g:
            continue
        m = g["markets"]
        pool = read(g["pool_providers"])
        theta = g["theta"][()]
        n = m["num_providers"][()]
        M = len(n)
        table = {"ensemble": [name] * M, "market": np.arange(M)}
        for column, ds in columns(m):
            value = ds[()]
            if value.ndim == 1:
                table[column] = value.astype(bool) if column in ("converged", "enumerated") else value
        slots = {column: ds[()] for column, ds in columns(m) if ds.ndim == 2}
        if "providers" in slots:
            table["provider_names"] = [tuple(pool[i] for i in row[:k]) for row, k in zip(slots["providers"], n)]
        for column, value in slots.items():
            table[column] = [tuple(x.item() for x in row[:k]) for row, k in zip(value, n)]
            if column.endswith("_profile"):
                table[column.replace("profile", "theta")] = [tuple(float(theta[x]) for x in row[:k])
                                                             for row, k in zip(value, n)]
        table["inefficiency_percent"] = inefficiency(table["price_of_anarchy"])
        if "price_of_anarchy_worst" in table:
            table["worst_inefficiency_percent"] = inefficiency(table["price_of_anarchy_worst"])
        frames.append(pd.DataFrame(table))
    if not frames:
        return pd.DataFrame(columns=["ensemble", "market", "num_providers", "beta", "price_of_anarchy"])
    return pd.concat(frames, ignore_index=True)


def ensemble_histogram(f, name, quantity):
    """A tallied histogram as bins (lo, hi, count, fraction of all values incl. under/overflow)."""
    g = f["ensemble"][name]
    h = g["statistics"][quantity]["histogram"] if "histograms" not in g else g["histograms"][quantity]
    counts, edges = h["counts"][()], h["edges"][()]
    under, over = int(h["underflow"][()]), int(h["overflow"][()])
    total = int(counts.sum()) + under + over
    frame = pd.DataFrame({"lo": edges[:-1], "hi": edges[1:], "count": counts,
                          "fraction": counts / total if total else np.zeros(len(counts))})
    frame.attrs.update({"underflow": under, "overflow": over, "count": total})
    return frame


def curves(f):
    """One row per dataset × method × model × level of every /curves/<dataset>/<method>."""
    frames = []
    for dataset in names(f, "curves"):
        for method, g in f["curves"][dataset].items():
            if not isinstance(g, h5py.Group) or "model" not in g:
                continue
            models = read(g["model"])
            theta = g["theta"][()]
            M, K = len(models), len(theta)
            table = {"dataset": dataset, "method": method, "estimator": as_str(g.attrs.get("estimator", "")),
                     "model": np.repeat(models, K), "level": np.tile(np.arange(K), M), "theta": np.tile(theta, M)}
            for column, ds in columns(g):
                if column in ("model", "theta"):
                    continue
                if ds.shape == (M, K):
                    table[column] = ds[()].reshape(-1)
                elif ds.shape == (M,):
                    table[column] = np.repeat(ds[()], K)
            frames.append(pd.DataFrame(table))
    if not frames:
        return pd.DataFrame(columns=["dataset", "method", "model", "theta", "accuracy", "tokens"])
    return pd.concat(frames, ignore_index=True)


def curve_questions(f, dataset, method, model):
    """The per-question table of one model: one row per question × level (qid, theta, p_correct, tokens)."""
    g = f["curves"][dataset][method]["questions"]
    key = model.replace("/", "_")
    if key not in g:
        raise KeyError(f"no per-question table for model {model!r} in /curves/{dataset}/{method}; "
                       f"the tables are: {', '.join(g)}")
    t = g[key]
    qid = read(t["qid"])
    theta = t["theta"][()]
    Q, K = len(qid), len(theta)
    return pd.DataFrame({"qid": np.repeat(qid, K), "level": np.tile(np.arange(K), Q), "theta": np.tile(theta, Q),
                         "p_correct": t["p_correct"][()].reshape(-1), "tokens": t["tokens"][()].reshape(-1)})

"""Figure of a /population/<scenario> group: per-user distributions of welfare, user surplus and payment under the
market and the auction, their means with 95 % confidence intervals, who serves the users, and the welfare ratios
of every replicate."""

import textwrap

import matplotlib.pyplot as plt
import matplotlib.transforms as transforms
import numpy as np

from ._style import AUCTION_COLOR, FIRST_BEST_COLOR, MARKET_COLOR, OPTIMUM_COLOR, WORST_COLOR, usd_scale

REGIME_COLOR = {"market": MARKET_COLOR, "auction": AUCTION_COLOR}
REGIME_LABEL = {"market": "pay-per-compute market", "auction": "reverse second-price auction"}
DISTRIBUTIONS = (("welfare", "realized welfare per user"), ("user_surplus", "realized user surplus"),
                 ("payment", "payment per user"))
MEANS = (("welfare", "welfare"), ("user_surplus", "user surplus"), ("payment", "payment"),
         ("provider_profit", "provider profit"))
EXPECTED = (  # (replicates column, label, colour)
    ("optimal_welfare_upper_bound", "SW* upper bound (local search)", "#999999"),
    ("first_best_welfare", "first best", FIRST_BEST_COLOR),
    ("expected_welfare_auction", "auction (expected)", AUCTION_COLOR),
    ("optimal_welfare", "SW* (optimum found)", OPTIMUM_COLOR),
    ("equilibrium_welfare", "SW at the reached equilibrium", MARKET_COLOR),
)
RATIOS = (  # (replicates column, label, colour)
    ("price_of_anarchy", "SW* / SW (expected, market)", MARKET_COLOR),
    ("realized_inefficiency_market", "SW* / realized SW, market", "#56B4E9"),
    ("realized_inefficiency_auction", "SW* / realized SW, auction", AUCTION_COLOR),
    ("first_best_ratio", "first best / SW (expected, market)", FIRST_BEST_COLOR),
)


def _tally(tallies, regime, quantity):
    rows = tallies[(tallies["regime"] == regime) & (tallies["quantity"] == quantity)]
    return rows.iloc[0] if len(rows) else None


def _interval(row):
    """(low, high) of a tally's stored 95 % interval, or the mean twice when it has none."""
    low, high = row.get("ci95_low", np.nan), row.get("ci95_high", np.nan)
    if not (np.isfinite(low) and np.isfinite(high)):
        return row["mean"], row["mean"]
    return low, high


def _distribution(ax, results, name, tallies, quantity, title):
    hists = {regime: results.population_histogram(name, regime, quantity) for regime in REGIME_COLOR}
    used = np.zeros(len(next(iter(hists.values()))), dtype=bool)
    for h in hists.values():
        used |= h["count"].to_numpy() > 0
    if not used.any():
        ax.text(0.5, 0.5, "no user in range", transform=ax.transAxes, ha="center")
        return
    first, last = np.flatnonzero(used)[[0, -1]]
    edges_all = np.concatenate([hists["market"]["lo"].to_numpy(), hists["market"]["hi"].to_numpy()[-1:]])
    factor, unit = usd_scale(edges_all[first:last + 2], per="user")
    for regime, h in hists.items():
        edges = np.concatenate([h["lo"].to_numpy(), h["hi"].to_numpy()[-1:]])[first:last + 2] * factor
        ax.stairs(h["fraction"].to_numpy()[first:last + 1], edges, color=REGIME_COLOR[regime], linewidth=1.4,
                  fill=False, label=REGIME_LABEL[regime])
        row = _tally(tallies, regime, quantity)
        if row is not None:
            ax.axvline(row["mean"] * factor, color=REGIME_COLOR[regime], linestyle="--", linewidth=1.0)
    outside = {regime: h.attrs["underflow"] + h.attrs["overflow"] for regime, h in hists.items()}
    note = ", ".join(f"{regime} {count}" for regime, count in outside.items() if count)
    ax.set_yscale("log")
    ax.set_xlabel(unit + (f"\nusers outside the histogram's range: {note}" if note else ""))
    ax.set_ylabel("fraction of users per bin (log scale)")
    ax.set_title(f"{title} (dashed: mean)", fontsize=9.5)
    ax.grid(True, alpha=0.3)


def _means(ax, tallies, replicates):
    present = [(q, label) for q, label in MEANS if _tally(tallies, "market", q) is not None]
    values = [[_tally(tallies, r, q)["mean"] for q, _ in present] for r in REGIME_COLOR]
    optimum = replicates["optimal_welfare"].mean()
    first_best = _tally(tallies, "first_best", "first_best")
    factor, unit = usd_scale(np.concatenate([np.ravel(values), [optimum]]), per="user")
    width = 0.38
    x = np.arange(len(present))
    for j, regime in enumerate(REGIME_COLOR):
        rows = [_tally(tallies, regime, q) for q, _ in present]
        means = np.array([row["mean"] for row in rows]) * factor
        lows, highs = np.array([_interval(row) for row in rows]).T * factor
        ax.bar(x + (j - 0.5) * width, means, width, color=REGIME_COLOR[regime], edgecolor="black", linewidth=0.5,
               label=REGIME_LABEL[regime], yerr=[means - lows, highs - means], capsize=3, ecolor="black")
    ax.hlines(optimum * factor, -0.5, 0.5, colors=OPTIMUM_COLOR, linewidth=2, label="SW* (expected, per user)")
    if first_best is not None:
        ax.hlines(first_best["mean"] * factor, -0.5, 0.5, colors=FIRST_BEST_COLOR, linewidth=2, linestyles=":",
                  label="first best")
    ax.set_xticks(x)
    ax.set_xticklabels([label for _, label in present], fontsize=8)
    ax.set_ylabel(unit)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_title("means with 95 % confidence intervals", fontsize=9.5)
    ax.legend(fontsize=7, loc="upper right")
    ax.grid(True, axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def _choices(ax, results, name):
    for j, regime in enumerate(REGIME_COLOR):
        ds = results.dataset(f"population/{name}/{regime}")
        counts = ds["choices"].values.astype(float)
        labels = [str(c) for c in ds["choice"].values] if "choice" in ds.coords else [str(i) for i in
                                                                                      range(len(counts))]
        y = np.arange(len(counts))
        ax.barh(y + (j - 0.5) * 0.38, counts / counts.sum(), 0.38, color=REGIME_COLOR[regime], edgecolor="black",
                linewidth=0.4, label=REGIME_LABEL[regime])
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=7.5)
    ax.invert_yaxis()
    ax.set_xlabel("fraction of users served")
    ax.set_title("who serves the users", fontsize=9.5)
    ax.grid(True, axis="x", alpha=0.3)
    ax.set_axisbelow(True)


def _ratios(ax, replicates, tallies):
    shown = [(c, label, color) for c, label, color in RATIOS if c in replicates and
             not np.isnan(replicates[c].to_numpy(dtype=float)).all()]
    top = transforms.blended_transform_factory(ax.transData, ax.transAxes)
    for j, (column, label, color) in enumerate(shown):
        values = replicates[column].to_numpy(dtype=float)
        jitter = (np.arange(len(values)) - (len(values) - 1) / 2) * (0.5 / max(len(values), 1))
        ax.plot(np.full(len(values), j) + jitter, values, "o", color=color, markersize=4, alpha=0.8)
        row = _tally(tallies, "replicates", column)
        if row is not None and row["count"] > 0 and np.isfinite(row["mean"]):
            low, high = _interval(row)
            ax.errorbar(j + 0.35, row["mean"], yerr=[[row["mean"] - low], [high - row["mean"]]], fmt="s",
                        color="black", markersize=4, capsize=3)
        infinite = int(np.isinf(values).sum())
        if infinite:
            ax.text(j, 0.97, f"{infinite} × +∞\n(SW ≤ 0)", transform=top, ha="center", va="top", fontsize=7,
                    color=WORST_COLOR)
    ax.axhline(1.0, color="black", linewidth=0.6)
    ax.set_xticks(np.arange(len(shown)))
    ax.set_xticklabels([textwrap.fill(label, 16) for _, label, _ in shown], fontsize=7)
    ax.set_xlim(-0.6, len(shown) - 0.2)
    ax.set_ylabel("welfare ratio")
    ax.set_title("ratios per replicate (dots), mean with 95 % CI (squares)", fontsize=9.5)
    ax.grid(True, axis="y", alpha=0.3)


def _expected(ax, replicates):
    """Expected welfare per user of every replicate: equilibrium, optimum (and its bound), first best, auction."""
    series = [(c, label, color) for c, label, color in EXPECTED if c in replicates]
    factor, unit = usd_scale(np.concatenate([replicates[c].to_numpy(dtype=float) for c, _, _ in series]),
                             per="user")
    for j, (column, label, color) in enumerate(series):
        values = replicates[column].to_numpy(dtype=float) * factor
        # Decreasing marker sizes, so that series that coincide (an enumerated optimum and its bound) stay visible.
        ax.plot(replicates["replicate"], values, "o-", color=color, markersize=8 - j, linewidth=1.0, label=label)
    ax.axhline(0.0, color="black", linewidth=0.6)
    ax.set_xticks(replicates["replicate"])
    ax.set_xlabel("replicate")
    ax.set_ylabel(unit)
    ax.set_title("expected welfare per user", fontsize=9.5)
    ax.legend(fontsize=7.5)
    ax.grid(True, alpha=0.3)


def population_figure(results, name, out):
    """population_<name>: distributions and means (when outcomes were realized), shares served, ratios."""
    tallies = results.population_tallies
    tallies = tallies[tallies["scenario"] == name]
    replicates = results.populations[results.populations["scenario"] == name]
    realized = _tally(tallies, "market", "welfare") is not None
    ds = results.dataset(f"population/{name}")
    if realized:
        fig, axes = plt.subplots(2, 3, figsize=(15.5, 8.6), layout="constrained")
        for ax, (quantity, title) in zip(axes[0], DISTRIBUTIONS):
            _distribution(ax, results, name, tallies, quantity, title)
        axes[0, 0].legend(fontsize=7.5, loc="upper right")
        _means(axes[1, 0], tallies, replicates)
        _choices(axes[1, 1], results, name)
        _ratios(axes[1, 2], replicates, tallies)
    else:
        fig, axes = plt.subplots(1, 2, figsize=(11.0, 4.6), layout="constrained")
        _expected(axes[0], replicates)
        _ratios(axes[1], replicates, tallies)
    users, count = int(ds.attrs.get("users", 0)), len(replicates)
    description = str(ds.attrs.get("description", ""))
    title = f"population {name}: {description} ({users} users × {count} replicates)"
    if not realized:
        title += "; realize = false: no per-user outcomes in the file"
    fig.suptitle(textwrap.fill(title, 160 if realized else 115), fontsize=11 if realized else 10)
    out.save(fig, f"population_{name}")


def population_figures(results, out, names=None):
    for name in results.groups["population"]:
        if names is None or name in names:
            population_figure(results, name, out)

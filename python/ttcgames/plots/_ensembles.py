"""Figure of an /ensemble/<name> group: histograms and tail fractions (complementary CDF) of the inefficiency, the
auction's welfare ratios, and the inefficiency against beta when the markets are stored."""

import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from ._style import AUCTION_COLOR, FIRST_BEST_COLOR, MARKET_COLOR, WORST_COLOR

SERIES = (  # (histogram, per-market column, label, colour, style)
    ("inefficiency_percent", "inefficiency_percent", "equilibrium reached by the dynamics", MARKET_COLOR, "-"),
    ("worst_inefficiency_percent", "worst_inefficiency_percent", "worst pure equilibrium (enumerated markets)",
     WORST_COLOR, "--"),
)
RATIOS = (("auction_to_optimum", "auction SW / SW*", FIRST_BEST_COLOR),
          ("auction_to_equilibrium", "auction SW / SW(reached)", AUCTION_COLOR))


def _histograms(ax, results, name):
    right = 0.0
    for quantity, _, label, color, style in SERIES:
        h = results.ensemble_histogram(name, quantity)
        total = h.attrs["count"]
        if total == 0:
            continue
        edges = np.concatenate([h["lo"].to_numpy(), h["hi"].to_numpy()[-1:]])
        ax.stairs(h["fraction"].to_numpy(), edges, color=color, linestyle=style, linewidth=1.4,
                  label=f"{label} ({total} markets)")
        used = np.flatnonzero(h["count"].to_numpy())
        if used.size:
            right = max(right, edges[used[-1] + 1])
        if h.attrs["overflow"]:
            ax.text(0.98, 0.70 if style == "-" else 0.62, f"{h.attrs['overflow']} markets ≥ {edges[-1]:g} % "
                    "(incl. +∞)", transform=ax.transAxes, ha="right", fontsize=7, color=color)
    if right > 0:
        ax.set_xlim(0.0, right * 1.05)
    ax.set_xlabel("inefficiency 100·(PoA − 1)  [%]")
    ax.set_ylabel("fraction of markets per bin")
    ax.set_title("distribution of the inefficiency", fontsize=9.5)
    ax.legend(fontsize=7.5, loc="upper right")
    ax.grid(True, alpha=0.3)


def _tail(values):
    """(x, P(X > x)) of the finite values, +inf counted as above every x."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    finite = np.sort(values[np.isfinite(values)])
    if values.size == 0 or finite.size == 0:
        return None, None
    above = 1.0 - np.arange(1, finite.size + 1) / values.size
    return finite, above


def _tails(ax, results, name, markets, counts):
    drawn = False
    for quantity, column, label, color, style in SERIES:
        if markets is not None and column in markets:
            x, p = _tail(markets[column])
        else:  # from the histogram: the share above each bin edge
            h = results.ensemble_histogram(name, quantity)
            total = h.attrs["count"]
            if total == 0:
                continue
            x = np.concatenate([h["lo"].to_numpy(), h["hi"].to_numpy()[-1:]])
            above = total - h.attrs["underflow"] - np.concatenate([[0], np.cumsum(h["count"].to_numpy())])
            p = above / total
        if x is None:
            continue
        keep = p > 0
        ax.step(x[keep], p[keep], where="post", color=color, linestyle=style, linewidth=1.4, label=label)
        drawn = True
    thresholds = [(float(c.split("_")[2]), counts[c]) for c in counts.index if c.startswith("fraction_above_")]
    for t, share in thresholds:
        if share > 0:
            ax.plot(t, share, "o", color="black", markersize=4)
            ax.annotate(f"{share:.3g}", (t, share), textcoords="offset points", xytext=(4, 4), fontsize=7)
    if drawn or thresholds:
        ax.set_yscale("log")
    ax.set_xlabel("inefficiency x  [%]")
    ax.set_ylabel("fraction of markets with inefficiency > x")
    ax.set_title("tail fractions (dots: the file's threshold counts)", fontsize=9.5)
    ax.legend(fontsize=7.5, loc="best")
    ax.grid(True, which="major", alpha=0.3)


def _ratios(ax, results, name):
    for quantity, label, color in RATIOS:
        h = results.ensemble_histogram(name, quantity)
        counts = h["count"].to_numpy()
        used = np.flatnonzero(counts)
        if used.size == 0:
            continue
        lo, hi = used[0], used[-1] + 1
        edges = np.concatenate([h["lo"].to_numpy(), h["hi"].to_numpy()[-1:]])
        ax.stairs(h["fraction"].to_numpy()[lo:hi], edges[lo:hi + 1], color=color, linewidth=1.4, label=label)
    ax.axvline(1.0, color="black", linewidth=0.6)
    ax.set_xlabel("welfare ratio")
    ax.set_ylabel("fraction of markets per bin")
    ax.set_title("the auction's welfare against the optimum and the market", fontsize=9.5)
    ax.legend(fontsize=7.5)
    ax.grid(True, alpha=0.3)


def _against_beta(ax, fig, markets):
    finite = markets[np.isfinite(markets["inefficiency_percent"]) & (markets["beta"] > 0)]
    if finite.empty:
        ax.text(0.5, 0.5, "no market with a finite PoA", transform=ax.transAxes, ha="center")
        return
    x, y = finite["beta"].to_numpy(), finite["inefficiency_percent"].to_numpy()
    if len(finite) > 2000:
        art = ax.hexbin(x, y, xscale="log", gridsize=45, mincnt=1, norm=LogNorm(), cmap="viridis")
        fig.colorbar(art, ax=ax, label="markets", pad=0.01)
    else:
        ax.scatter(x, y, s=4, alpha=0.4, color=MARKET_COLOR, rasterized=True)
        ax.set_xscale("log")
    bins = np.logspace(np.log10(x.min()), np.log10(x.max()) + 1e-12, 16)
    which = np.digitize(x, bins)
    centers, medians = [], []
    for b in range(1, len(bins)):
        inside = y[which == b]
        if inside.size:
            centers.append(np.sqrt(bins[b - 1] * bins[b]))
            medians.append(np.median(inside))
    ax.plot(centers, medians, color="black", linewidth=1.6, label="median per β bin")
    ax.set_xlabel("user rationality β of the market (1/USD), log scale")
    ax.set_ylabel("inefficiency 100·(PoA − 1)  [%]")
    ax.set_title("inefficiency against β (reached equilibrium)", fontsize=9.5)
    ax.legend(fontsize=7.5, loc="upper right")
    ax.grid(True, alpha=0.3)


def _quantiles(ax, results, name):
    e = results.ensembles
    e = e[(e["ensemble"] == name) & e["quantity"].isin([s[0] for s in SERIES])]
    columns = [c for c in e.columns if c.startswith("q") and c[1:2].isdigit()]
    probabilities = [float(c[1:]) for c in columns]
    infinite = set()
    for quantity, _, label, color, style in SERIES:
        rows = e[e["quantity"] == quantity]
        if len(rows) and rows.iloc[0]["count"] > 0:
            values = rows.iloc[0][columns].to_numpy(dtype=float)
            infinite.update(p for p, v in zip(probabilities, values) if np.isinf(v))
            ax.plot(probabilities, values, marker="o", color=color, linestyle=style, label=label)
    if infinite:
        ax.text(0.98, 0.02, "+∞ (not drawn) at p = " + ", ".join(f"{p:g}" for p in sorted(infinite)),
                transform=ax.transAxes, ha="right", fontsize=7.5)
    ax.set_xlabel("probability")
    ax.set_ylabel("quantile of the inefficiency  [%]")
    ax.set_title("quantiles (from the histograms: markets not stored)", fontsize=9.5)
    ax.legend(fontsize=7.5)
    ax.grid(True, alpha=0.3)


def ensemble_figure(results, name, out):
    """ensemble_<name>: inefficiency histograms, tail fractions, auction ratios, inefficiency against beta."""
    all_markets = results.ensemble_markets
    markets = all_markets[all_markets["ensemble"] == name] if not all_markets.empty else None
    if markets is not None and markets.empty:
        markets = None
    counts = results.ensemble_counts.set_index("ensemble").loc[name]
    fig, axes = plt.subplots(2, 2, figsize=(12.5, 8.6), layout="constrained")
    _histograms(axes[0, 0], results, name)
    _tails(axes[0, 1], results, name, markets, counts)
    _ratios(axes[1, 0], results, name)
    if markets is not None:
        _against_beta(axes[1, 1], fig, markets)
    else:
        _quantiles(axes[1, 1], results, name)
    notes = (f"{int(counts['num_markets'])} markets; non-converged {int(counts['non_converged'])}, "
             f"PoA = +∞ {int(counts['infinite_price_of_anarchy'])}, enumerated {int(counts['enumerated_markets'])} "
             f"(without a pure NE {int(counts['markets_without_equilibrium'])}), "
             f"auctions without trade {int(counts['auction_no_trade'])}")
    fig.suptitle(textwrap.fill(f"ensemble {name}: {counts.get('description', '')}", 140) + "\n" + notes,
                 fontsize=10)
    out.save(fig, f"ensemble_{name}")


def ensemble_figures(results, out, names=None):
    for name in results.groups["ensemble"]:
        if names is None or name in names:
            ensemble_figure(results, name, out)

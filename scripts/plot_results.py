#!/usr/bin/python3
"""Figures for the reader of "Test-Time Compute Games" from a ttcgames result file (docs/hdf5-format.md).

    /usr/bin/python3 scripts/plot_results.py results/paper.h5 -o results/figures [--format png|pdf]
                                             [--scenarios gsm8k-majority aime-reasoning ...] [--dpi 150]

Everything comes from the HDF5 file. Scenarios named "<benchmark>-<method>" (method: majority, best-of-n,
reasoning) are grouped by benchmark, one figure per benchmark and kind, one panel per method; any other scenario
name gets figures of its own. Written, per group <g>:

  value_curves_<g>        user value V_i(theta) = q - p per provider (USD per query) against theta
  inefficiency_<g>        100 (PoA - 1) % against beta over the sweep, per method; where all equilibria were
                          enumerated, the worst equilibrium (dashed) and the price of stability (dotted)
  profiles_<g>            the level theta each provider chooses at the reached equilibrium, against beta
  market_vs_auction_<g>   market outcomes at the listed betas next to the reverse second-price auction

and per ensemble <e> (/ensemble/<e>):

  ensemble_<e>            histograms of the inefficiency 100 (PoA - 1) % (reached equilibrium; worst equilibrium of
                          the enumerated markets) and of the auction's welfare over SW* and over SW(reached)

Needs only numpy, h5py and matplotlib (Debian: python3-numpy python3-h5py python3-matplotlib).
Exit status: 0 on success, 1 on a usage or input error (with a message on stderr).
"""

import argparse
import math
import os
import re
import sys
import textwrap

try:
    import numpy as np
    import h5py
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
except ImportError as error:  # pragma: no cover - depends on the machine
    sys.exit(f"plot_results.py: {error}; install python3-numpy python3-h5py python3-matplotlib "
             "(Debian) and run it with /usr/bin/python3")

FORMAT = "ttcgames-results"
FORMAT_MAJOR = 1

METHODS = ("majority", "best-of-n", "reasoning")
METHOD_LABEL = {"majority": "majority voting", "best-of-n": "best-of-n", "reasoning": "reasoning (effort bins)"}
# Okabe-Ito (colour-blind safe) for methods and bars; Paul Tol's "muted" set (9 colours) for providers.
METHOD_COLOR = {"majority": "#0072B2", "best-of-n": "#D55E00", "reasoning": "#009E73"}
OTHER_COLOR = "#000000"
PROVIDER_COLORS = ["#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255",
                   "#AA4499"]
PROVIDER_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "h", "*", "p"]
# Market bars: light to dark blue with increasing beta (ColorBrewer "Blues", readable in grey scale).
MARKET_BAR_COLORS = ["#C6DBEF", "#6BAED6", "#2171B5", "#08306B", "#041A3A"]
AUCTION_COLOR = "#D55E00"
NAME_PATTERN = re.compile(r"^(?P<benchmark>.+)-(?P<method>majority|best-of-n|reasoning)$")


class InputError(Exception):
    pass


# ---------------------------------------------------------------------------------------------------- reading


def as_str(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def read_string(dataset):
    """A scalar or 1-D variable-length UTF-8 string dataset, as str / list of str."""
    value = dataset.asstr()[()]
    return [as_str(v) for v in value] if isinstance(value, np.ndarray) else as_str(value)


class Market:
    """One /market/<name> group (and its /auction/<name> group when present), as numpy arrays."""

    def __init__(self, f, name):
        g = f["market"][name]
        self.name = name
        self.description = as_str(g.attrs.get("description", ""))
        self.providers = read_string(g["providers"])
        self.theta = g["theta"][()]
        self.user_value = g["user_value"][()]
        self.beta = g["beta"][()]
        self.profile = g["equilibrium_profile"][()]
        self.poa = g["price_of_anarchy"][()]
        self.columns = {c: g[c][()] for c in ("weighted_value", "weighted_price", "weighted_utility",
                                              "equilibrium_welfare", "optimal_welfare")}
        self.enumerated = bool(g.attrs.get("enumerated", 0)) and "price_of_anarchy_worst" in g
        self.poa_worst = g["price_of_anarchy_worst"][()] if self.enumerated else None
        self.pos = g["price_of_stability"][()] if self.enumerated else None
        self.listed = listed_count(self.beta, g["beta_values"][()] if "beta_values" in g else g.attrs.get("beta_values", np.zeros(0)))
        match = NAME_PATTERN.match(name)
        self.benchmark = match.group("benchmark") if match else None
        self.method = match.group("method") if match else None
        self.auction = None
        if "auction" in f and name in f["auction"]:
            a = f["auction"][name]
            self.auction = {k: float(a[k][()]) for k in ("user_value", "price", "winner_utility", "welfare")}
            self.auction["winner"] = read_string(a["winner"])
            self.auction["trade"] = bool(a["trade"][()])

    def sweep(self):
        """Indices of the sweep rows sorted by beta (every row when there is no separate sweep)."""
        rows = np.arange(self.listed, len(self.beta)) if len(self.beta) > self.listed else np.arange(len(self.beta))
        rows = rows[np.argsort(self.beta[rows], kind="stable")]
        _, first = np.unique(self.beta[rows], return_index=True)
        return rows[np.sort(first)]

    def bar_rows(self):
        """Rows shown as bars: the listed betas, else up to four betas spread over the sweep."""
        if self.listed > 0:
            return np.arange(self.listed)
        rows = self.sweep()
        if len(rows) <= 4:
            return rows
        return rows[np.unique(np.linspace(0, len(rows) - 1, 4).round().astype(int))]

    def theta_label(self):
        if self.method == "reasoning" or (self.method is None and "effort" in self.description.lower()):
            return "θ = relative-effort bin"
        if self.method in ("majority", "best-of-n"):
            return "θ = number of samples"
        return "θ (test-time-compute level)"


def listed_count(beta, beta_values):
    """The listed betas come first in `beta`; count the leading rows that match the `beta_values` attribute
    (a CLI --beta override leaves the attribute as the scenario has it)."""
    beta_values = np.atleast_1d(np.asarray(beta_values, dtype=float))
    n = 0
    while n < min(len(beta), len(beta_values)) and beta[n] == beta_values[n]:
        n += 1
    return n


def open_results(path, wanted):
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        raise InputError(f"{path}: cannot open as HDF5 ({error})")
    if as_str(f.attrs.get("format", "")) != FORMAT:
        raise InputError(f"{path}: not a ttcgames result file (root attribute format != '{FORMAT}')")
    version = np.atleast_1d(f.attrs.get("format_version", [-1]))
    if int(version[0]) != FORMAT_MAJOR:
        raise InputError(f"{path}: result format version {int(version[0])}.x, this script reads {FORMAT_MAJOR}.x")
    names = list(f["market"]) if "market" in f else []
    if not names and "ensemble" in f and not wanted:
        f.close()
        return []
    if wanted:
        missing = [w for w in wanted if w not in names]
        if missing:
            raise InputError(f"{path}: no scenario named {', '.join(missing)}; the file holds: "
                             f"{', '.join(names) or '(none)'}")
        names = [n for n in names if n in wanted]
    if not names:
        raise InputError(f"{path}: the file holds no /market/<scenario> group")
    markets = [Market(f, n) for n in names]
    f.close()
    return markets


def group_markets(markets):
    """[(group name, [markets])]: paper-style names by benchmark (methods in paper order), others alone."""
    groups = {}
    for m in markets:
        key = m.benchmark if m.benchmark is not None else m.name
        groups.setdefault(key, []).append(m)
    out = []
    for key in sorted(groups):
        members = groups[key]
        members.sort(key=lambda m: METHODS.index(m.method) if m.method in METHODS else len(METHODS))
        out.append((key, members))
    return out


# ---------------------------------------------------------------------------------------------------- helpers


def safe_filename(text):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "scenario"


def usd_scale(values):
    """(factor, axis label) so that |values| x factor is of order 1..1000."""
    finite = np.abs(np.asarray(values, dtype=float))
    finite = finite[np.isfinite(finite) & (finite > 0)]
    if finite.size == 0:
        return 1.0, "USD per query"
    exponent = int(math.floor(math.log10(finite.max())))
    exponent = 3 * math.floor(exponent / 3)
    if exponent == 0:
        return 1.0, "USD per query"
    return 10.0 ** (-exponent), f"USD per query (×10$^{{{exponent}}}$)"


def beta_label(beta):
    if beta > 0:
        e = math.log10(beta)
        if abs(e - round(e)) < 1e-12 and abs(e) >= 4:
            return f"β=10$^{{{int(round(e))}}}$"
    return f"β={beta:g}"


def panel_title(m):
    if m.method is not None:
        return f"{m.name}: {METHOD_LABEL[m.method]}"
    if m.description:
        return textwrap.shorten(f"{m.name}: {m.description}", width=90, placeholder=" …")
    return m.name


def method_color(m):
    return METHOD_COLOR.get(m.method, OTHER_COLOR)


def group_title(key, members):
    if members[0].benchmark is None:
        return key
    return key.upper() if len(key) <= 6 else key


def finish(fig, out_dir, stem, args, written):
    path = os.path.join(out_dir, f"{stem}.{args.format}")
    fig.savefig(path, dpi=args.dpi, bbox_inches="tight")
    plt.close(fig)
    written.append(path)


# ---------------------------------------------------------------------------------------------------- figures


def plot_value_curves(key, members, out_dir, args, written):
    ncols = len(members)
    fig, axes = plt.subplots(1, ncols, figsize=(4.6 * ncols + 0.6, 4.9), squeeze=False, layout="constrained")
    for ax, m in zip(axes[0], members):
        factor, ylabel = usd_scale(m.user_value)
        for i, provider in enumerate(m.providers):
            ax.plot(m.theta, m.user_value[i] * factor, marker=PROVIDER_MARKERS[i % len(PROVIDER_MARKERS)],
                    markersize=4.5, linewidth=1.4, color=PROVIDER_COLORS[i % len(PROVIDER_COLORS)], label=provider)
        positive = np.all(m.theta > 0)
        log = bool(positive and m.theta.max() / m.theta.min() >= 10)
        if log:
            ax.set_xscale("log", base=2)
        ax.set_xticks(m.theta)
        ax.set_xticklabels([f"{t:g}" for t in m.theta])
        ax.minorticks_off()
        ax.set_xlabel(m.theta_label() + (", log scale" if log else ""))
        ax.set_ylabel(f"user value V = q − p, {ylabel}")
        ax.set_title(panel_title(m), fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3 if len(m.providers) > 4
                  else len(m.providers), frameon=False)
    fig.suptitle(f"{group_title(key, members)}: user value of each provider against test-time compute")
    finish(fig, out_dir, f"value_curves_{safe_filename(key)}", args, written)


def inefficiency(poa):
    out = 100.0 * (np.asarray(poa, dtype=float) - 1.0)
    out[~np.isfinite(out)] = np.nan
    return out


def plot_inefficiency(key, members, out_dir, args, written):
    fig, ax = plt.subplots(figsize=(10.0, 4.8), layout="constrained")
    any_enumerated = False
    notes = []
    for m in members:
        rows = m.sweep()
        beta = m.beta[rows]
        color = method_color(m)
        label = METHOD_LABEL.get(m.method, m.name)
        marker = "o" if len(rows) < 20 else None
        ax.plot(beta, inefficiency(m.poa[rows]), color=color, linewidth=1.8, marker=marker, markersize=4,
                label=label)
        if m.enumerated:
            any_enumerated = True
            ax.plot(beta, inefficiency(m.poa_worst[rows]), color=color, linewidth=1.4, linestyle="--",
                    marker=marker, markersize=3)
            ax.plot(beta, inefficiency(m.pos[rows]), color=color, linewidth=1.4, linestyle=":", marker=marker,
                    markersize=3)
        infinite = int(np.sum(np.isinf(m.poa[rows])))
        if infinite:
            notes.append(f"{m.name}: {infinite} β with PoA = ∞ (SW ≤ 0) not drawn")
    if np.all(np.concatenate([m.beta[m.sweep()] for m in members]) > 0):
        ax.set_xscale("log")
    ax.set_xlabel("user rationality β (1/USD), log scale")
    ax.set_ylabel("inefficiency 100·(PoA − 1)  [%]")
    ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
    ax.grid(True, which="major", alpha=0.3)
    handles = [Line2D([], [], color=method_color(m), linewidth=2, label=METHOD_LABEL.get(m.method, m.name))
               for m in members]
    if any_enumerated:
        handles += [Line2D([], [], color="#555555", linewidth=1.8, label="equilibrium reached by the dynamics"),
                    Line2D([], [], color="#555555", linewidth=1.4, linestyle="--",
                           label="worst equilibrium (price of anarchy)"),
                    Line2D([], [], color="#555555", linewidth=1.4, linestyle=":",
                           label="best equilibrium (price of stability)")]
    title = f"{group_title(key, members)}: inefficiency of the pay-per-compute market"
    if len(members) == 1 and members[0].method is None:
        title = f"{panel_title(members[0])}\ninefficiency of the pay-per-compute market"
    ax.set_title(title)
    if any_enumerated:
        handles.append(Line2D([], [], linestyle="none",
                              label="(dashed and dotted lines lie under\n the solid one where all coincide)"))
    handles += [Line2D([], [], linestyle="none", label=note) for note in notes]
    ax.legend(handles=handles, fontsize=8.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    finish(fig, out_dir, f"inefficiency_{safe_filename(key)}", args, written)


def edges_of(beta, log):
    """Cell edges around sorted centres (geometric midpoints on a log axis)."""
    if len(beta) == 1:
        return np.array([beta[0] / 2, beta[0] * 2]) if log else np.array([beta[0] - 0.5, beta[0] + 0.5])
    c = np.log(beta) if log else np.asarray(beta, dtype=float)
    mid = (c[1:] + c[:-1]) / 2
    e = np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])
    return np.exp(e) if log else e


def plot_profiles(key, members, out_dir, args, written):
    heights = [0.34 * len(m.providers) + 1.2 for m in members]
    fig, axes = plt.subplots(len(members), 1, figsize=(10.0, sum(heights) + 0.8), squeeze=False,
                             gridspec_kw={"height_ratios": heights}, layout="constrained")
    for ax, m in zip(axes[:, 0], members):
        rows = m.sweep()
        beta = m.beta[rows]
        log = bool(np.all(beta > 0))
        K = len(m.theta)
        levels = np.ma.masked_less(m.profile[rows].T.astype(float), 0)  # [provider, beta]; -1 = absent
        cmap = ListedColormap(plt.get_cmap("viridis")(np.linspace(0.0, 1.0, K)))
        cmap.set_bad("#dddddd")
        norm = BoundaryNorm(np.arange(-0.5, K + 0.5), K)
        y = np.arange(len(m.providers) + 1) - 0.5
        mesh = ax.pcolormesh(edges_of(beta, log), y, levels, cmap=cmap, norm=norm, shading="flat")
        if log:
            ax.set_xscale("log")
        ax.set_yticks(np.arange(len(m.providers)))
        ax.set_yticklabels(m.providers, fontsize=8)
        ax.set_ylim(len(m.providers) - 0.5, -0.5)
        ax.set_xlabel("user rationality β (1/USD)" + (", log scale" if log else ""))
        ax.set_title(panel_title(m), fontsize=10)
        if len(beta) <= 12:
            ax.set_xticks(beta)
            ax.set_xticklabels([beta_label(b)[2:] for b in beta])
            ax.minorticks_off()
        bar = fig.colorbar(mesh, ax=ax, ticks=np.arange(K), pad=0.01, fraction=0.04)
        bar.ax.set_yticklabels([f"{t:g}" for t in m.theta], fontsize=8)
        bar.set_label(m.theta_label().replace("θ = ", "θ: "), fontsize=8)
    fig.suptitle(f"{group_title(key, members)}: test-time compute each provider chooses at the equilibrium "
                 "reached by the dynamics")
    finish(fig, out_dir, f"profiles_{safe_filename(key)}", args, written)


QUANTITIES = (  # (title, market column, auction key)
    ("user value", "weighted_value", "user_value"),
    ("price paid", "weighted_price", "price"),
    ("provider utility", "weighted_utility", "winner_utility"),
    ("social welfare", "equilibrium_welfare", "welfare"),
)


def plot_market_vs_auction(key, members, out_dir, args, written):
    ncols = len(QUANTITIES)
    fig = plt.figure(figsize=(3.1 * ncols, 2.9 * len(members) + 1.1), layout="constrained")
    # One subfigure per scenario (its title on the left) and a last, short one for the legend (matplotlib 3.6
    # has no legend placement outside a constrained layout).
    panels = np.atleast_1d(fig.subfigures(len(members) + 1, 1, height_ratios=[1.0] * len(members) + [0.12]))
    rows_of_panels, legend_panel = panels[:-1], panels[-1]
    has_optimum = False
    for sub, m in zip(rows_of_panels, members):
        sub.suptitle(panel_title(m), fontsize=10, fontweight="bold", x=0.01, ha="left")
        axes = sub.subplots(1, ncols)
        rows = m.bar_rows()
        labels = [beta_label(b) for b in m.beta[rows]]
        colors = [MARKET_BAR_COLORS[j % len(MARKET_BAR_COLORS)] for j in range(len(rows))]
        for ax, (title, column, auction_key) in zip(axes, QUANTITIES):
            values = list(m.columns[column][rows])
            bar_colors = list(colors)
            tick_labels = list(labels)
            if m.auction is not None:
                values.append(m.auction[auction_key])
                bar_colors.append(AUCTION_COLOR)
                tick_labels.append("auction")
            optimum = column == "equilibrium_welfare"
            shown = values + (list(m.columns["optimal_welfare"][rows]) if optimum else [])
            factor, unit = usd_scale(shown)
            x = np.arange(len(values))
            ax.bar(x, np.asarray(values) * factor, color=bar_colors, edgecolor="black", linewidth=0.5)
            if optimum:
                has_optimum = True
                ax.plot(np.arange(len(rows)), m.columns["optimal_welfare"][rows] * factor, linestyle="none",
                        marker="_", markersize=20, markeredgewidth=2.2, color="black")
            ax.set_xticks(x)
            ax.set_xticklabels(tick_labels, rotation=30, ha="right", fontsize=8)
            ax.set_ylabel(unit, fontsize=8)
            ax.tick_params(axis="y", labelsize=8)
            ax.grid(True, axis="y", alpha=0.3)
            ax.set_axisbelow(True)
            ax.set_title(title, fontsize=9.5)
        if m.auction is not None and not m.auction["trade"]:
            axes[0].text(0.98, 0.95, "auction: no trade", transform=axes[0].transAxes, ha="right", va="top",
                         fontsize=7.5)
    handles = [Patch(facecolor=MARKET_BAR_COLORS[1], edgecolor="black", linewidth=0.5,
                     label="market at the equilibrium reached by the dynamics, share-weighted "
                           "(lighter to darker: increasing β)"),
               Patch(facecolor=AUCTION_COLOR, edgecolor="black", linewidth=0.5,
                     label="reverse second-price auction (provider utility: the winner's)")]
    if has_optimum:
        handles.append(Line2D([], [], linestyle="none", marker="_", markersize=14, markeredgewidth=2.2,
                              color="black", label="social optimum SW*(β)"))
    legend_panel.legend(handles=handles, loc="center", ncol=2, fontsize=8, frameon=False)
    fig.suptitle(f"{group_title(key, members)}: pay-per-compute market vs. auction, per query")
    finish(fig, out_dir, f"market_vs_auction_{safe_filename(key)}", args, written)


def plot_ensembles(path, out_dir, args, written):
    """One figure per /ensemble/<name>: the inefficiency and auction-ratio histograms (from the file's bins)."""
    with h5py.File(path, "r") as f:
        if "ensemble" not in f:
            return
        for name in f["ensemble"]:
            g = f["ensemble"][name]
            fig, axes = plt.subplots(1, 2, figsize=(11.0, 4.2), layout="constrained")
            for quantity, label, style in (("inefficiency_percent", "equilibrium reached by the dynamics", "-"),
                                           ("worst_inefficiency_percent", "worst pure equilibrium (enumerated markets)",
                                            "--")):
                h = g["histograms"][quantity]
                counts, edges = h["counts"][()], h["edges"][()]
                total = counts.sum() + h["underflow"][()] + h["overflow"][()]
                if total == 0:
                    continue
                axes[0].stairs(counts / total, edges, linestyle=style, label=f"{label} ({total} markets)")
            axes[0].set_xlabel("inefficiency 100 (PoA - 1) %")
            axes[0].set_ylabel("fraction of markets per bin")
            axes[0].legend(fontsize=8)
            for quantity, label in (("auction_to_optimum", "auction SW / SW*"),
                                    ("auction_to_equilibrium", "auction SW / SW(reached)")):
                h = g["histograms"][quantity]
                counts, edges = h["counts"][()], h["edges"][()]
                used = np.flatnonzero(counts)
                if used.size == 0:
                    continue
                lo, hi = used[0], used[-1] + 1
                axes[1].stairs(counts[lo:hi] / counts.sum(), edges[lo:hi + 1], label=label)
            axes[1].set_xlabel("welfare ratio")
            axes[1].set_ylabel("fraction of markets per bin")
            axes[1].legend(fontsize=8)
            fig.suptitle(textwrap.fill(f"{name}: {as_str(g.attrs.get('description', ''))}", 120), fontsize=9.5)
            finish(fig, out_dir, f"ensemble_{safe_filename(name)}", args, written)


# ---------------------------------------------------------------------------------------------------- main


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="result file written by `ttcgames run` (HDF5)")
    parser.add_argument("-o", "--output", default=None,
                        help="directory for the figures (default: 'figures' beside the result file)")
    parser.add_argument("--format", choices=("png", "pdf"), default="png", help="image format (default: png)")
    parser.add_argument("--scenarios", nargs="+", metavar="NAME", help="plot only these scenarios")
    parser.add_argument("--dpi", type=float, default=150.0, help="resolution of raster images (default: 150)")
    args = parser.parse_args(argv)
    if args.dpi <= 0:
        parser.error("--dpi must be positive")
    out_dir = args.output or os.path.join(os.path.dirname(os.path.abspath(args.results)), "figures")
    try:
        markets = open_results(args.results, args.scenarios)
        os.makedirs(out_dir, exist_ok=True)
    except (InputError, OSError) as error:
        print(f"plot_results.py: {error}", file=sys.stderr)
        return 1
    plt.rcParams.update({"font.size": 9, "axes.titlesize": 10, "figure.titlesize": 12})
    written = []
    for key, members in group_markets(markets):
        plot_value_curves(key, members, out_dir, args, written)
        plot_inefficiency(key, members, out_dir, args, written)
        plot_profiles(key, members, out_dir, args, written)
        plot_market_vs_auction(key, members, out_dir, args, written)
    if not args.scenarios:
        plot_ensembles(args.results, out_dir, args, written)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

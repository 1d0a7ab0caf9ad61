"""Figures of /market/<scenario> groups (with their auctions): value curves, inefficiency against beta, equilibrium
profiles, market vs auction. Paper-style names "<benchmark>-<method>" are grouped by benchmark, one panel per
method; any other scenario gets figures of its own."""

import re
import textwrap

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from ._style import (AUCTION_COLOR, MARKET_BAR_COLORS, METHOD_COLOR, METHOD_LABEL, METHODS, OTHER_COLOR,
                     PROVIDER_COLORS, PROVIDER_MARKERS, beta_label, inefficiency, safe_filename, usd_scale)

NAME_PATTERN = re.compile(r"^(?P<benchmark>.+)-(?P<method>majority|best-of-n|reasoning)$")


class Market:
    """One /market/<name> group (and its auction) as numpy arrays, from the reader's tables and datasets."""

    def __init__(self, results, name):
        ds = results.dataset(f"market/{name}")
        rows = results.markets[results.markets["scenario"] == name].sort_values("row")
        self.name = name
        self.description = str(ds.attrs.get("description", ""))
        self.providers = [str(p) for p in ds["provider"].values]
        self.theta = ds["theta"].values
        self.user_value = ds["user_value"].values
        self.beta = ds["beta"].values
        self.profile = ds["equilibrium_profile"].values
        self.poa = ds["price_of_anarchy"].values
        self.columns = {c: ds[c].values for c in ("weighted_value", "weighted_price", "weighted_utility",
                                                  "equilibrium_welfare", "optimal_welfare")}
        self.enumerated = bool(ds.attrs.get("enumerated", 0)) and "price_of_anarchy_worst" in ds
        self.poa_worst = ds["price_of_anarchy_worst"].values if self.enumerated else None
        self.pos = ds["price_of_stability"].values if self.enumerated else None
        self.listed = int(rows["listed"].sum())
        match = NAME_PATTERN.match(name)
        self.benchmark = match.group("benchmark") if match else None
        self.method = match.group("method") if match else None
        self.auction = None
        if "auction_welfare" in rows and len(rows) and isinstance(rows["auction_winner"].iloc[0], str):
            first = rows.iloc[0]
            self.auction = {k: float(first[f"auction_{k}"]) for k in ("user_value", "price", "winner_utility",
                                                                      "welfare")}
            self.auction["winner"] = first["auction_winner"]
            self.auction["trade"] = bool(first["auction_trade"])

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


def plot_value_curves(key, members, out):
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
    out.save(fig, f"value_curves_{safe_filename(key)}")


def plot_inefficiency(key, members, out):
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
        infinite = np.isinf(m.poa[rows])
        if infinite.any():
            # Unbounded PoA (SW ≤ 0 < SW*): a marker on the top edge at each such β.
            ax.plot(beta[infinite], np.full(int(infinite.sum()), 1.0), linestyle="none", marker="^", markersize=6,
                    color=color, clip_on=False, transform=blended_transform_factory(ax.transData, ax.transAxes))
            notes.append(textwrap.fill(f"{m.name}: {int(infinite.sum())} β with PoA = +∞ (SW ≤ 0 < SW*): ▲ on "
                                       "the top edge", 48))
    all_beta = np.concatenate([m.beta[m.sweep()] for m in members])
    if np.all(all_beta > 0):
        ax.set_xscale("log")
        ax.set_xlim(all_beta.min() / 1.5, all_beta.max() * 1.5)
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
    out.save(fig, f"inefficiency_{safe_filename(key)}")


def edges_of(beta, log):
    """Cell edges around sorted centres (geometric midpoints on a log axis)."""
    if len(beta) == 1:
        return np.array([beta[0] / 2, beta[0] * 2]) if log else np.array([beta[0] - 0.5, beta[0] + 0.5])
    c = np.log(beta) if log else np.asarray(beta, dtype=float)
    mid = (c[1:] + c[:-1]) / 2
    e = np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])
    return np.exp(e) if log else e


def plot_profiles(key, members, out):
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
    out.save(fig, f"profiles_{safe_filename(key)}")


QUANTITIES = (  # (title, market column, auction key)
    ("user value", "weighted_value", "user_value"),
    ("price paid", "weighted_price", "price"),
    ("provider utility", "weighted_utility", "winner_utility"),
    ("social welfare", "equilibrium_welfare", "welfare"),
)


def plot_market_vs_auction(key, members, out):
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
    out.save(fig, f"market_vs_auction_{safe_filename(key)}")



def market_figures(results, out, names=None):
    """Every market figure of the file (or of the scenarios `names`)."""
    markets = [Market(results, name) for name in results.groups["market"] if names is None or name in names]
    for key, members in group_markets(markets):
        plot_value_curves(key, members, out)
        plot_inefficiency(key, members, out)
        plot_profiles(key, members, out)
        plot_market_vs_auction(key, members, out)

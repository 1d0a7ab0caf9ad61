"""Shared look of the figures: colours, money scaling, labels, saving."""

import math
import os
import re

import numpy as np

# Okabe-Ito (colour-blind safe) for methods, regimes and bars; Paul Tol's "muted" set (9 colours) for providers.
METHODS = ("majority", "best-of-n", "reasoning")
METHOD_LABEL = {"majority": "majority voting", "best-of-n": "best-of-n", "reasoning": "reasoning (effort bins)"}
METHOD_COLOR = {"majority": "#0072B2", "best-of-n": "#D55E00", "reasoning": "#009E73"}
OTHER_COLOR = "#000000"
PROVIDER_COLORS = ["#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255",
                   "#AA4499"]
PROVIDER_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "h", "*", "p"]
# Market bars: light to dark blue with increasing beta (ColorBrewer "Blues", readable in grey scale).
MARKET_BAR_COLORS = ["#C6DBEF", "#6BAED6", "#2171B5", "#08306B", "#041A3A"]
MARKET_COLOR = "#0072B2"
AUCTION_COLOR = "#D55E00"
OPTIMUM_COLOR = "#000000"
FIRST_BEST_COLOR = "#009E73"
WORST_COLOR = "#CC79A7"


def provider_color(i):
    return PROVIDER_COLORS[i % len(PROVIDER_COLORS)]


def provider_marker(i):
    return PROVIDER_MARKERS[i % len(PROVIDER_MARKERS)]


def safe_filename(text):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "figure"


def usd_scale(values, per="query"):
    """(factor, axis label) so that |values| × factor is of order 1..1000."""
    finite = np.abs(np.asarray(values, dtype=float))
    finite = finite[np.isfinite(finite) & (finite > 0)]
    base = f"USD per {per}"
    if finite.size == 0:
        return 1.0, base
    exponent = 3 * math.floor(int(math.floor(math.log10(finite.max()))) / 3)
    if exponent == 0:
        return 1.0, base
    return 10.0 ** (-exponent), f"{base} (×10$^{{{exponent}}}$)"


def beta_label(beta):
    if beta > 0:
        e = math.log10(beta)
        if abs(e - round(e)) < 1e-12 and abs(e) >= 4:
            return f"β=10$^{{{int(round(e))}}}$"
    return f"β={beta:g}"


def inefficiency(poa):
    """100·(PoA − 1) % with +inf (and NaN) as NaN, for lines that leave gaps where the PoA is unbounded."""
    out = 100.0 * (np.asarray(poa, dtype=float) - 1.0)
    out[~np.isfinite(out)] = np.nan
    return out


class Output:
    """Where and how figures are written; `written` lists the paths in order."""

    def __init__(self, directory, image_format="png", dpi=150.0):
        self.directory = directory
        self.format = image_format
        self.dpi = dpi
        self.written = []

    def save(self, fig, stem):
        import matplotlib.pyplot as plt

        path = os.path.join(self.directory, f"{safe_filename(stem)}.{self.format}")
        fig.savefig(path, dpi=self.dpi, bbox_inches="tight")
        plt.close(fig)
        self.written.append(path)
        return path

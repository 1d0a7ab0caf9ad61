"""Figure of a /curves/<dataset>/<method> group: accuracy and billed tokens against theta per model, with their
intervals (the reference's percentile bars where the estimator has them, else the bootstrap over questions)."""

import matplotlib.pyplot as plt
import numpy as np

from ._style import provider_color, provider_marker

#: Sideways offset between models: a fraction of theta on a log axis, of a bin on a linear one.
DODGE = 0.03
METHOD_TITLE = {"majority": "majority voting", "best-of-n": "best-of-n (reward model)", "pass@k": "pass@k",
                "relative-effort": "relative effort (thinking-length bins)"}


def _bars(rows, quantity):
    """(low, high, name) error-bar lengths: percentile bars when finite, else the bootstrap over questions."""
    for suffix, label in (("", "percentiles over permutations"), ("_bootstrap", "bootstrap over questions")):
        lo, hi = rows.get(f"{quantity}{suffix}_lo"), rows.get(f"{quantity}{suffix}_hi")
        if lo is not None and hi is not None:
            lo, hi = lo.to_numpy(dtype=float), hi.to_numpy(dtype=float)
            if np.isfinite(lo).any() and np.isfinite(hi).any():
                if suffix == "" and (rows["method"].iloc[0] == "relative-effort"):
                    label = "percentile bootstrap of the pooled bin mean"
                return np.nan_to_num(lo), np.nan_to_num(hi), label
    return None, None, None


def curves_figure(results, dataset, method, out):
    """curves_<dataset>_<method>: accuracy and tokens against theta, one line per model, 95 % intervals."""
    c = results.curves
    rows = c[(c["dataset"] == dataset) & (c["method"] == method)]
    effort = method == "relative-effort"
    fig, axes = plt.subplots(1, 2, figsize=(12.0, 4.6), layout="constrained")
    intervals = set()
    positive = bool(len(rows)) and rows["theta"].gt(0).all()
    log = bool(not effort and positive and rows["theta"].max() / rows["theta"].min() >= 8)
    models = list(dict.fromkeys(rows["model"]))
    for i, (model, r) in enumerate(rows.groupby("model", sort=False)):
        r = r.sort_values("level")
        # Dodge the models' points sideways so that their error bars do not hide each other.
        shift = (i - (len(models) - 1) / 2) * DODGE
        theta = r["theta"].to_numpy(dtype=float)
        theta = theta * (1.0 + shift) if log else theta + shift
        for ax, quantity in zip(axes, ("accuracy", "tokens")):
            y = r[quantity].to_numpy(dtype=float)
            lo, hi, label = _bars(r, quantity)
            if label:
                intervals.add(label)
            ax.errorbar(theta, y, yerr=None if lo is None else [lo, hi], color=provider_color(i),
                        marker=provider_marker(i), markersize=4.5, linewidth=1.4, capsize=3, label=model)
    theta_values = np.unique(rows["theta"].to_numpy(dtype=float))
    for ax, ylabel in zip(axes, ("expected accuracy", "expected billed output tokens per query")):
        if log:
            ax.set_xscale("log", base=2)
        ax.set_xticks(theta_values)
        ax.set_xticklabels([f"{t:g}" for t in theta_values])
        ax.minorticks_off()
        ax.set_xlabel("θ = relative-effort bin (1 = shortest thinking)" if effort else
                      "θ = number of samples" + (", log scale" if log else ""))
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=8)
    estimator = rows["estimator"].iloc[0] if len(rows) else ""
    info = results.dataset(f"curves/{dataset}/{method}").attrs
    details = [f"estimator {estimator}"]
    if int(info.get("permutations", 0)):
        details.append(f"{int(info['permutations'])} permutations")
    if int(info.get("bootstrap_samples", 0)):
        details.append(f"bootstrap {int(info['bootstrap_samples'])}")
    bars = "; ".join(sorted(intervals)) if intervals else "no intervals in the file"
    confidence = float(info.get("confidence", 0.95))
    fig.suptitle(f"{dataset}: {METHOD_TITLE.get(method, method)} ({', '.join(details)})\n"
                 f"error bars: {100 * confidence:g} % intervals, {bars}", fontsize=10)
    out.save(fig, f"curves_{dataset}_{method}")


def curves_figures(results, out, names=None):
    c = results.curves
    for (dataset, method), _ in c.groupby(["dataset", "method"], sort=False):
        if names is None or dataset in names:
            curves_figure(results, dataset, method, out)

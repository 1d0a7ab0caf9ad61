"""Figures of ttcgames result files (matplotlib; `ttcgames` itself does not need it). scripts/plot_results.py is the
command line; from Python:

    import ttcgames, ttcgames.plots
    out = ttcgames.plots.Output("figures")           # directory (created by the caller), format, dpi
    ttcgames.plots.draw(ttcgames.read("results/paper.h5"), out)
    print(out.written)

Figures, per kind of group (file names without the extension):
  market       value_curves_<g>, inefficiency_<g>, profiles_<g>, market_vs_auction_<g> (paper-style scenarios
               "<benchmark>-<method>" grouped by benchmark <g>; any other scenario alone)
  population   population_<name>
  ensemble     ensemble_<name>
  curves       curves_<dataset>_<method>
"""

from ._curves import curves_figure, curves_figures
from ._ensembles import ensemble_figure, ensemble_figures
from ._markets import market_figures
from ._populations import population_figure, population_figures
from ._style import Output

__all__ = ["Output", "draw", "market_figures", "population_figure", "population_figures", "ensemble_figure",
           "ensemble_figures", "curves_figure", "curves_figures"]


def draw(results, out, names=None):
    """Every figure of a Results (or of the groups named in `names`: scenarios, populations, ensembles, curve
    datasets). Returns out.written."""
    market_figures(results, out, names)
    population_figures(results, out, names)
    ensemble_figures(results, out, names)
    curves_figures(results, out, names)
    return out.written

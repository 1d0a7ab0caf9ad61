"""Reading ttcgames result files (HDF5, format "ttcgames-results" 1.x, docs/hdf5-format.md) into pandas and xarray.

    import ttcgames
    r = ttcgames.read("results/paper.h5")
    r.markets                      # one row per scenario × beta (pandas DataFrame)
    r.dataset("market/gsm8k-majority").sel(beta=1000.0)   # xarray Dataset with named dimensions

Pure Python on numpy, h5py, pandas and xarray (Debian: python3-numpy python3-h5py python3-pandas python3-xarray).
The tables and their columns are listed in docs/python.md.
"""

import functools

from . import _tables
from ._h5 import FORMAT, FORMAT_MAJOR, FormatError, attributes, open_checked
from ._xr import build_dataset, child_groups, group_kind

__all__ = ["read", "Results", "FormatError", "FORMAT", "FORMAT_MAJOR", "__version__"]

#: The ttcgames release this reader belongs to (the CMake project version).
__version__ = "0.1.0"

KINDS = ("market", "auction", "ensemble", "population", "curves")


def read(path):
    """Opens a result file (checks its format and major version) and returns a Results.

    Raises FormatError for a file that is not a ttcgames result file or has another major version, and
    FileNotFoundError for a path that does not exist."""
    import os

    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    with open_checked(path) as f:
        info = attributes(f)
        groups = {kind: sorted(f[kind]) if kind in f else [] for kind in KINDS}
    return Results(path, info, groups)


class Results:
    """A ttcgames result file. The tables are read when first used and kept; the file is not held open."""

    def __init__(self, path, attrs, groups):
        self.path = path
        #: Root attributes: format_version, ttcgames_version, git_commit, created_utc, seed, scenario, ...
        self.attrs = attrs
        #: Group names by kind: {"market": [...], "auction": [...], "ensemble": [...], "population": [...],
        #: "curves": [datasets]}.
        self.groups = groups

    def __repr__(self):
        held = ", ".join(f"{len(v)} {k}" for k, v in self.groups.items() if v) or "nothing"
        return f"<ttcgames.Results {self.path!r}: {held}>"

    @property
    def kinds(self):
        """The kinds of result the file holds, e.g. {"market", "auction"}."""
        return {kind for kind, names in self.groups.items() if names}

    def _with_file(self, function, *args):
        with open_checked(self.path) as f:
            return function(f, *args)

    # ------------------------------------------------------------------------------------------------ tables

    @functools.cached_property
    def markets(self):
        """One row per scenario × beta: the reached profile, welfare, optimum, PoA, worst-equilibrium PoA, PoS,
        regret and the scenario's auction outcome (columns auction_*)."""
        return self._with_file(_tables.markets)

    @functools.cached_property
    def profiles(self):
        """One row per scenario × beta × provider: its level at the reached profile, at the optimum, at the worst
        and best equilibria, and its share."""
        return self._with_file(_tables.profiles)

    @functools.cached_property
    def auctions(self):
        """One row per scenario's auction."""
        return self._with_file(_tables.auctions)

    @functools.cached_property
    def populations(self):
        """One row per population × replicate."""
        return self._with_file(_tables.populations)

    @functools.cached_property
    def population_tallies(self):
        """One row per population × regime × quantity: per-user tallies (regimes market, auction, first_best) and
        the summaries over replicates (regime replicates), with their confidence intervals and quantiles."""
        return self._with_file(_tables.population_tallies)

    def population_histogram(self, scenario, regime, quantity):
        """The histogram of a per-user quantity (welfare, user_surplus, payment, provider_profit) as bins."""
        return self._with_file(_tables.population_histogram, scenario, regime, quantity)

    @functools.cached_property
    def ensembles(self):
        """One row per ensemble × tallied quantity (inefficiency_percent, price_of_anarchy, ...)."""
        return self._with_file(_tables.ensembles)

    @functools.cached_property
    def ensemble_counts(self):
        """One row per ensemble: settings, counts and the shares of markets above the inefficiency thresholds."""
        return self._with_file(_tables.ensemble_counts)

    @functools.cached_property
    def ensemble_markets(self):
        """One row per ensemble × stored market (empty when the ensembles did not store their markets)."""
        return self._with_file(_tables.ensemble_markets)

    def ensemble_histogram(self, ensemble, quantity):
        """A tallied histogram of an ensemble (inefficiency_percent, worst_inefficiency_percent,
        auction_to_optimum, auction_to_equilibrium) as bins."""
        return self._with_file(_tables.ensemble_histogram, ensemble, quantity)

    @functools.cached_property
    def curves(self):
        """One row per dataset × method × model × level of the curves (accuracy, tokens and their error bars)."""
        return self._with_file(_tables.curves)

    def curve_questions(self, dataset, method, model):
        """The per-question table of one model's curve: one row per question × level."""
        return self._with_file(_tables.curve_questions, dataset, method, model)

    # ------------------------------------------------------------------------------------------------ xarray

    def dataset(self, group):
        """The datasets of one group as an xarray Dataset with named dimensions and coordinates, e.g.
        dataset("market/gsm8k-majority").sel(beta=1000.0). Subgroups are separate datasets
        ("ensemble/<e>/markets", "population/<p>/replicates", "curves/<d>/<m>/questions/<model>", ...)."""
        path = group.strip("/")

        def build(f):
            if path not in f:
                parent = path.rsplit("/", 1)[0] if "/" in path else ""
                known = child_groups(f, parent) if (parent == "" or parent in f) else child_groups(f, "")
                raise KeyError(f"{self.path}: no group '{path}'; groups here: {', '.join(known) or '(none)'}")
            return build_dataset(f, path)

        return self._with_file(build)

    @staticmethod
    def group_kind(group):
        """The kind of group a path names ("market", "ensemble_markets", "tally", ...), or None."""
        return group_kind(group)

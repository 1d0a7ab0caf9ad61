"""One group of a result file as an xarray Dataset with named dimensions.

Dimension names come from the file: files of format 1.3 on carry netCDF-4 dimensions (HDF5 dimension scales, so that
xarray.open_dataset(path, group=..., engine="h5netcdf") reads them too; docs/hdf5-format.md, "Dimensions"), and a
dataset may carry dimension labels. Older files get the names from the shapes that docs/hdf5-format.md documents, by
group kind and dataset name (DIMENSIONS below, the same names the writer now uses). Coordinates: `beta`, `provider` (names), `level` (0..K−1, with `theta` beside it), `model`, `question`
(qids), `replicate`, `quantile` (probabilities), `benchmark`, `pool`, `threshold`, `market`, `bin` (centres, with
`bin_low`/`bin_high`), `choice` (providers, then "outside-option").
"""

import os
import re

import h5py
import numpy as np
import xarray as xr

from ._h5 import attributes, is_dimension, is_dimension_only, read

OUTSIDE_OPTION = "outside-option"

# Per group kind: dataset name -> dimension names. "*1" / "*2" give the dimensions of any other dataset of that rank.
DIMENSIONS = {
    "market": {
        "providers": ("provider",), "usd_per_token": ("provider",), "theta": ("level",),
        **{name: ("provider", "level") for name in ("accuracy", "tokens", "quality", "price", "cost", "user_value",
                                                    "surplus")},
        **{name: ("beta", "provider") for name in ("equilibrium_profile", "shares", "optimal_profile",
                                                   "worst_equilibrium_profile", "best_equilibrium_profile")},
        "equilibria": ("equilibrium", "provider"), "equilibria_offsets": ("beta_offset",),
        "history_profile": ("history", "provider"), "history_potential": ("history",),
        "history_offsets": ("beta_offset",), "beta_values": ("listed_beta",),
        "*1": ("beta",),
    },
    "auction": {"theta_index_choice": ("provider",), "scores": ("provider",)},
    "ensemble": {
        "pool_providers": ("pool",), "pool_usd_per_token": ("pool",), "theta": ("level",),
        "inefficiency_thresholds": ("threshold",), "markets_above_threshold": ("threshold",),
        "fraction_above_threshold": ("threshold",), "worst_markets": ("worst",),
        "worst_markets_price_of_anarchy": ("worst",), "quantile_probabilities": ("quantile",),
    },
    "ensemble_markets": {"*1": ("market",), "*2": ("market", "slot")},
    "ensemble_quantiles": {"*1": ("quantile",)},
    "ensemble_histogram": {"counts": ("bin",), "edges": ("bin_edge",), "quantile_probabilities": ("quantile",),
                           "quantiles": ("quantile",)},
    "population": {"providers": ("provider",), "usd_per_token": ("provider",), "theta": ("level",)},
    "population_benchmarks": {"*1": ("benchmark",)},
    "population_replicates": {"*1": ("replicate",), "*2": ("replicate", "provider")},
    "population_regime": {"choices": ("choice",), "*1": ("provider",)},
    "tally": {"histogram": ("bin",), "histogram_range": ("bound",), "quantile_probabilities": ("quantile",),
              "quantiles": ("quantile",)},
    "curves": {"model": ("model",), "theta": ("level",), "*1": ("model",), "*2": ("model", "level")},
    "curves_questions": {"qid": ("question",), "theta": ("level",), "*2": ("question", "level")},
}


def group_kind(path):
    """The kind of a group from its path (DIMENSIONS' keys), or None."""
    parts = [p for p in path.strip("/").split("/") if p]
    if not parts:
        return None
    top, depth = parts[0], len(parts)
    if top in ("market", "auction") and depth == 2:
        return top
    if top == "ensemble":
        if depth == 2:
            return "ensemble"
        if depth == 3 and parts[2] == "markets":
            return "ensemble_markets"
        if depth == 3 and parts[2] in ("quantiles", "quantiles_exact"):
            return "ensemble_quantiles"
        if depth == 4 and parts[2] == "histograms":
            return "ensemble_histogram"
        if depth == 4 and parts[2] == "statistics":
            return "tally"
        if depth == 5 and parts[2] == "statistics" and parts[4] == "histogram":
            return "ensemble_histogram"
    if top == "population":
        if depth == 2:
            return "population"
        if depth == 3 and parts[2] == "benchmarks":
            return "population_benchmarks"
        if depth == 3 and parts[2] == "replicates":
            return "population_replicates"
        if depth == 3 and parts[2] in ("market", "auction"):
            return "population_regime"
        if depth == 3 and parts[2] == "first_best" or depth == 4 and parts[2] in ("market", "auction", "summary"):
            return "tally"
        if depth == 5 and parts[2] in ("market", "auction") and parts[4] == "histogram":
            return "ensemble_histogram"  # format 2: the one histogram layout
    if top == "curves":
        if depth == 3:
            return "curves"
        if depth == 5 and parts[3] == "questions":
            return "curves_questions"
    return None


def _file_dimensions(ds):
    """Dimension names the file gives a dataset (attached scales, else labels), or None."""
    names = []
    for axis in ds.dims:
        if len(axis) > 0:
            names.append(os.path.basename(axis[0].name))
        elif axis.label:
            names.append(axis.label)
        else:
            return None
    return tuple(names)


def _dimensions(kind, name, ds):
    if ds.ndim == 0:
        return ()
    dims = _file_dimensions(ds)
    if dims:
        return dims
    rules = DIMENSIONS.get(kind, {})
    dims = rules.get(name) or rules.get(f"*{ds.ndim}")
    if dims is not None and len(dims) == ds.ndim:
        return dims
    return tuple(f"{name}_dim{i}" for i in range(ds.ndim))


def _parent_providers(f, path):
    """Provider names for a group that has none of its own (auction -> market; replicates/regimes -> population)."""
    parts = path.strip("/").split("/")
    for candidate in (f"market/{parts[1]}" if parts[0] == "auction" else None, "/".join(parts[:2])):
        if candidate and candidate in f and "providers" in f[candidate]:
            return read(f[candidate]["providers"])
    return None


def _quantile_probabilities(f, path):
    parts = path.strip("/").split("/")
    parent = "/".join(parts[:2])
    if parts[0] == "ensemble" and parent in f and "quantile_probabilities" in f[parent]:
        return f[parent]["quantile_probabilities"][()]
    return None


def build_dataset(f, path):
    """The xarray Dataset of group `path` of an open h5py file (direct child datasets only)."""
    path = path.strip("/")
    if path not in f or not isinstance(f[path], h5py.Group):
        raise KeyError(f"{f.filename}: no group '{path}'")
    g = f[path]
    kind = group_kind(path)
    variables = {}
    file_coordinates = {}
    for name, ds in g.items():
        if not isinstance(ds, h5py.Dataset) or is_dimension_only(ds):
            continue  # a dimension without coordinate values holds no data
        data = read(ds)
        if is_dimension(ds) and ds.ndim == 1:
            file_coordinates[name] = xr.Variable((name,), data, attrs=attributes(ds))
            continue
        attrs = attributes(ds)
        variables[name] = xr.Variable(_dimensions(kind, name, ds), np.asarray(data, dtype=object)
                                      if isinstance(data, str) else data, attrs=attrs)
    sizes = {}
    for v in (*variables.values(), *file_coordinates.values()):
        sizes.update(dict(zip(v.dims, v.shape)))
    coords = dict(file_coordinates)

    def add(name, values, dim=None, **attrs):
        dim = dim or name
        values = np.asarray(values)
        if name not in coords and dim in sizes and values.ndim == 1 and len(values) == sizes[dim]:
            coords[name] = xr.Variable((dim,), values, attrs=attrs)

    # Coordinates; the variables they come from become coordinates (a file's dataset keeps its name).
    if "providers" in variables and variables["providers"].dims == ("provider",):
        add("provider", variables.pop("providers").values)  # the file's coordinate, when it has one, is kept
    elif "provider" in sizes and (providers := _parent_providers(f, path)) is not None:
        add("provider", providers)
    if "level" in sizes:
        add("level", np.arange(sizes["level"]))
        if "theta" in variables and variables["theta"].dims == ("level",):
            coords["theta"] = variables.pop("theta")
    for dim, source in (("model", "model"), ("provider", "model"), ("question", "qid"), ("replicate", "replicate"), ("pool", "pool_providers"),
                        ("threshold", "inefficiency_thresholds"), ("quantile", "quantile_probabilities"),
                        ("benchmark", "name")):
        if dim in sizes and source in variables and variables[source].dims == (dim,) and source != dim:
            add(dim, variables.pop(source).values)  # the same values as the file's coordinate, when it has one
    if "quantile" in sizes and "quantile" not in coords:
        probabilities = _quantile_probabilities(f, path)
        if probabilities is not None:
            add("quantile", probabilities)
    if "market" in sizes:
        add("market", np.arange(sizes["market"]))
    if "choice" in sizes and (providers := _parent_providers(f, path)) is not None:
        add("choice", list(providers) + [OUTSIDE_OPTION])
    if "bin" in sizes:
        if "histogram_range" in variables:
            lo, hi = variables["histogram_range"].values
            edges = np.linspace(lo, hi, sizes["bin"] + 1)
        elif "edges" in variables:
            edges = variables["edges"].values
        else:
            edges = None
        if edges is not None:
            add("bin", (edges[:-1] + edges[1:]) / 2)
            add("bin_low", edges[:-1], dim="bin")
            add("bin_high", edges[1:], dim="bin")
    ds = xr.Dataset(variables, coords=coords, attrs=attributes(g))
    ds.attrs["group"] = "/" + path
    return ds


def child_groups(f, path):
    """Paths of the subgroups of a group (for error messages and listings)."""
    g = f[path] if path.strip("/") else f
    return [re.sub(r"^/", "", sub.name) for sub in g.values() if isinstance(sub, h5py.Group)]

"""Low-level reading of ttcgames result files with h5py: strings, attributes, tallies, the format check."""

import h5py
import numpy as np

FORMAT = "ttcgames-results"
FORMAT_MAJOR = 2
#: The oldest major version read (format 1: the statistics under their version-1 names, docs/hdf5-format.md).
FORMAT_OLDEST_MAJOR = 1


class FormatError(ValueError):
    """The file is not a ttcgames result file this reader understands (wrong format, other major version)."""


def as_str(value):
    """A str from an h5py attribute or string element (str, bytes or a numpy scalar of either)."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.shape == ():
        return as_str(value[()])
    return str(value)


# NAME of a dimension scale without coordinate values (netCDF-4's marker): a dataset that only names an axis.
DIMENSION_WITHOUT_COORDINATE = "This is a netCDF dimension but not a netCDF variable"


def is_dimension(dataset):
    """Whether a dataset is a dimension scale: a coordinate variable (`beta`, `provider`, ...) or a dimension
    without coordinate values (files of format 1.3 on; docs/hdf5-format.md, "Dimensions")."""
    return as_str(dataset.attrs.get("CLASS", b"")) == "DIMENSION_SCALE"


def is_dimension_only(dataset):
    """Whether a dataset is a dimension without coordinate values (it holds no data)."""
    return is_dimension(dataset) and as_str(dataset.attrs.get("NAME", b"")).startswith(DIMENSION_WITHOUT_COORDINATE)


def columns(group, keep=()):
    """(name, dataset) of the datasets of a group that hold table columns: dimension scales are left out except
    those named in `keep` (e.g. the row coordinate `replicate`)."""
    return [(name, ds) for name, ds in group.items()
            if isinstance(ds, h5py.Dataset) and (name in keep or not is_dimension(ds))]


def is_string(dataset):
    return h5py.check_string_dtype(dataset.dtype) is not None


def read(dataset):
    """A dataset's value: numpy arrays (strings as object arrays of str), 0-d datasets as Python scalars."""
    if is_string(dataset):
        value = dataset.asstr()[()]
        if isinstance(value, np.ndarray):
            return np.array([as_str(v) for v in value.ravel()], dtype=object).reshape(value.shape)
        return as_str(value)
    value = dataset[()]
    if isinstance(value, np.ndarray) and value.shape == ():
        return value.item()
    if isinstance(value, np.generic):
        return value.item()
    return value


def attribute(value):
    """An attribute as a plain Python value: str, int, float, or a list for arrays."""
    if isinstance(value, (bytes, str)):
        return as_str(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "OSU":
            return [as_str(v) for v in value.ravel()]
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


# Attributes HDF5's dimension scales keep for themselves (object references and markers, not metadata).
DIMENSION_ATTRIBUTES = ("CLASS", "NAME", "DIMENSION_LIST", "REFERENCE_LIST", "DIMENSION_LABELS", "_Netcdf4Dimid",
                        "_Netcdf4Coordinates")


def attributes(obj):
    """The attributes of a group or dataset as plain values (the dimension scales' bookkeeping left out)."""
    return {name: attribute(obj.attrs[name]) for name in obj.attrs if name not in DIMENSION_ATTRIBUTES}


def open_checked(path):
    """Opens a result file for reading and checks `format` and the major version (docs/hdf5-format.md)."""
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        raise FormatError(f"{path}: cannot open as HDF5 ({error})") from None
    fmt = as_str(f.attrs.get("format", ""))
    if fmt != FORMAT:
        f.close()
        raise FormatError(f"{path}: not a ttcgames result file (root attribute format is {fmt!r}, not {FORMAT!r})")
    version = np.atleast_1d(f.attrs.get("format_version", [-1]))
    if not FORMAT_OLDEST_MAJOR <= int(version[0]) <= FORMAT_MAJOR:
        f.close()
        raise FormatError(f"{path}: result format {int(version[0])}.x; this reader reads {FORMAT_OLDEST_MAJOR}.x to "
                          f"{FORMAT_MAJOR}.x")
    return f


def scalars(group):
    """{name: value} of the 0-d datasets of a group (a tally group: count, sum, mean, ...)."""
    return {name: read(obj) for name, obj in group.items() if isinstance(obj, h5py.Dataset) and obj.shape == ()}


def quantile_columns(probabilities, values):
    """{"q0.05": value, ...}: quantiles as columns named by their probability."""
    return {f"q{float(p):g}": float(v) for p, v in zip(np.atleast_1d(probabilities), np.atleast_1d(values))}


def listed_count(beta, beta_values):
    """The listed betas come first in `beta`: the number of leading rows equal to `beta_values` (a dataset since
    format 1.2, an attribute before; a CLI --beta override leaves it as the scenario has it)."""
    beta_values = np.atleast_1d(np.asarray(beta_values if beta_values is not None else [], dtype=float))
    n = 0
    while n < min(len(beta), len(beta_values)) and beta[n] == beta_values[n]:
        n += 1
    return n

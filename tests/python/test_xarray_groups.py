#!/usr/bin/python3
"""Opens every group kind of the result files with xarray (engine h5netcdf), as an analyst would.

    /usr/bin/python3 tests/python/test_xarray_groups.py --cli build/ttcgames --inputs inputs --scratch /tmp/x

Writes into the scratch directory a market/auction file (the paper's GSM8K majority-voting scenario), an ensemble of
70 000 markets (inputs/ensembles/paper-gsm8k-ensemble.toml shrunk; its per-market arrays are large), a population
(inputs/populations/math-mix.toml, small) and a curves file (the synthetic run logs), and checks
(docs/hdf5-format.md, "Dimensions") that:
  - every group of the market, auction, ensemble, population and curves kinds opens with
    xarray.open_dataset(path, group=..., engine="h5netcdf") (which refuses an array without dimension scales), every
    array has named dimensions from the documented vocabulary, and the dimension datasets without coordinate values
    hold no data;
  - ds.sel(beta=1000.0) of a market group gives the row of beta = 1000, and the coordinates beta, provider,
    replicate, quantile and provider label their axes with the file's values;
  - per-market arrays of an ensemble are chunked with shuffle + deflate, small arrays are contiguous;
  - the netCDF-C library reads every file too: `ncdump -h` on each, and `ncdump` of all the data of the market,
    population and curves files, exit 0 with the groups' dimensions in the header (when ncdump is installed:
    scripts/setup.sh installs netcdf-bin; without it that part is reported as not run).
Exit status: 0 on success, 77 (skipped) without numpy/h5py/xarray/h5netcdf, 1 on failure.
"""

import argparse
import os
import subprocess
import sys

try:
    import numpy as np
    import h5py
    import xarray as xr
    import h5netcdf  # noqa: F401 (xarray's engine)
except ImportError as error:
    print(f"SKIP: {error} (install python3-numpy python3-h5py python3-xarray python3-h5netcdf; use /usr/bin/python3)")
    sys.exit(77)

# The dimension names the format uses (docs/hdf5-format.md, "Dimensions").
VOCABULARY = {"beta", "provider", "level", "listed_beta", "equilibrium", "history", "beta_offset", "pool", "threshold",
              "worst", "quantile", "market", "slot", "bin", "bin_edge", "benchmark", "replicate", "choice", "bound",
              "question"}
MARKER = "This is a netCDF dimension but not a netCDF variable"
KINDS = ("market", "auction", "ensemble", "population", "curves")
ENSEMBLE_MARKETS = 70000


class Failures(list):
    def check(self, condition, message):
        if not condition:
            self.append(message)


def run(cli, *arguments):
    result = subprocess.run([cli, *arguments, "-q"], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"FAIL: {' '.join([cli, *arguments])} exited {result.returncode}: {result.stderr}")


def groups(path):
    """Paths of every group under the kinds' top-level groups."""
    found = []
    with h5py.File(path, "r") as f:
        for kind in KINDS:
            if kind in f:
                f[kind].visititems(lambda name, obj, k=kind: found.append(f"{k}/{name}")
                                   if isinstance(obj, h5py.Group) else None)
    return found


def check_groups(path, failures):
    """Every group opens with h5netcdf; named dimensions; dimensions without values store nothing."""
    opened = 0
    with h5py.File(path, "r") as f:
        for group in groups(path):
            where = f"{os.path.basename(path)}:/{group}"
            try:
                ds = xr.open_dataset(path, group=group, engine="h5netcdf")
            except Exception as error:  # the test reports any failure to open
                failures.append(f"{where}: xarray/h5netcdf cannot open it: {type(error).__name__}: {error}")
                continue
            opened += 1
            for name, variable in ds.variables.items():
                unknown = set(variable.dims) - VOCABULARY
                failures.check(not unknown, f"{where}/{name}: dimensions {variable.dims} outside the vocabulary")
            for name, obj in f[group].items():
                if not isinstance(obj, h5py.Dataset) or "NAME" not in obj.attrs:
                    continue
                label = obj.attrs["NAME"]
                label = label.decode() if isinstance(label, bytes) else str(label)
                if label.startswith(MARKER):
                    failures.check(obj.id.get_storage_size() == 0, f"{where}/{name}: a dimension that stores data")
                    failures.check(name not in ds.variables, f"{where}/{name}: read as a variable")
            for name, obj in f[group].items():
                if isinstance(obj, h5py.Dataset) and obj.ndim > 0 and not h5py.h5ds.is_scale(obj.id):
                    failures.check(len(obj.dims[0]) > 0, f"{where}/{name}: axis 0 without a dimension scale")
    return opened


def check_market(path, failures):
    ds = xr.open_dataset(path, group="market/gsm8k-majority", engine="h5netcdf")
    with h5py.File(path, "r") as f:
        g = f["market/gsm8k-majority"]
        beta = g["beta"][()]
        row = int(np.flatnonzero(beta == 1000.0)[0])
        at = ds.sel(beta=1000.0)
        failures.check(float(at["price_of_anarchy"]) == g["price_of_anarchy"][row], "sel(beta=1000) PoA")
        failures.check(at["equilibrium_profile"].dims == ("provider",), "sel(beta=...) keeps the provider axis")
        failures.check(np.array_equal(at["shares"].values, g["shares"][row]), "sel(beta=1000) shares")
        failures.check(ds["shares"].dims == ("beta", "provider"), f"shares dims {ds['shares'].dims}")
        failures.check(ds["accuracy"].dims == ("provider", "level"), f"accuracy dims {ds['accuracy'].dims}")
        failures.check(ds["beta_values"].dims == ("listed_beta",), f"beta_values dims {ds['beta_values'].dims}")
        failures.check({"beta", "provider"} <= set(ds.indexes), f"market indexes {list(ds.indexes)}")
        providers = list(g["providers"].asstr()[()])
        failures.check(list(ds["provider"].values) == providers, "provider coordinate = providers")
        failures.check(float(ds["shares"].sel(beta=1000.0, provider=providers[0])) == g["shares"][row, 0],
                       "sel(beta=..., provider=...)")
    auction = xr.open_dataset(path, group="auction/gsm8k-majority", engine="h5netcdf")
    failures.check(auction["scores"].dims == ("provider",), f"auction scores dims {auction['scores'].dims}")
    failures.check(list(auction["provider"].values) == providers, "auction provider coordinate")


def check_ensemble(path, failures):
    name = "ensemble/paper-gsm8k-ensemble"
    top = xr.open_dataset(path, group=name, engine="h5netcdf")
    failures.check(float(top["quantile_probabilities"].sel(quantile=0.5)) == 0.5, "ensemble sel(quantile=0.5)")
    statistic = xr.open_dataset(path, group=f"{name}/statistics/inefficiency_percent", engine="h5netcdf")
    failures.check(statistic["quantiles"].dims == ("quantile",), "ensemble statistic quantiles dims")
    failures.check(float(statistic["quantiles"].sel(quantile=0.5)) == float(statistic["quantiles"][
        list(statistic["quantile"].values).index(0.5)]), "ensemble statistic sel(quantile=0.5)")
    histogram = xr.open_dataset(path, group=f"{name}/statistics/inefficiency_percent/histogram", engine="h5netcdf")
    failures.check(histogram["counts"].dims == ("bin",) and histogram["edges"].dims == ("bin_edge",),
                   "ensemble histogram dims")
    markets = xr.open_dataset(path, group=f"{name}/markets", engine="h5netcdf")
    failures.check(markets["providers"].dims == ("market", "slot"), f"markets providers {markets['providers'].dims}")
    failures.check(markets["beta"].dims == ("market",) and markets.sizes["market"] == ENSEMBLE_MARKETS,
                   "markets beta dims")
    with h5py.File(path, "r") as f:
        for dataset in f[f"{name}/markets"].values():
            if "NAME" in dataset.attrs:
                continue  # a dimension
            large = dataset.size > 65536
            where = f"{dataset.name}: {dataset.shape}"
            if large:
                failures.check(dataset.chunks is not None and dataset.compression == "gzip" and dataset.shuffle,
                               f"{where} is not chunked with shuffle + deflate")
                failures.check(dataset.chunks[1:] == dataset.shape[1:], f"{where}: chunks {dataset.chunks} cut rows")
            else:
                failures.check(dataset.chunks is None, f"{where}: a small dataset is chunked")
        failures.check(f[f"{name}/markets/providers"].compression == "gzip", "the [market, slot] arrays are large")


def check_population(path, failures):
    name = "population/math-mix"
    replicates = xr.open_dataset(path, group=f"{name}/replicates", engine="h5netcdf")
    failures.check(replicates["shares"].dims == ("replicate", "provider"), "replicates shares dims")
    first = int(replicates["replicate"].values[0])
    failures.check(float(replicates.sel(replicate=first)["equilibrium_welfare"])
                   == float(replicates["equilibrium_welfare"][0]), "sel(replicate=...)")
    top = xr.open_dataset(path, group=name, engine="h5netcdf")
    failures.check(top["usd_per_token"].dims == ("provider",), "population usd_per_token dims")
    regime = xr.open_dataset(path, group=f"{name}/market", engine="h5netcdf")
    failures.check(regime["choices"].dims == ("choice",), "regime choices dims")
    failures.check(regime["provider_profit_mean"].dims == ("provider",), "regime provider_profit_mean dims")
    histogram = xr.open_dataset(path, group=f"{name}/market/welfare/histogram", engine="h5netcdf")
    failures.check(histogram["counts"].dims == ("bin",) and histogram["quantiles"].dims == ("quantile",),
                   "statistic histogram dims")


def check_curves(path, failures):
    with h5py.File(path, "r") as f:
        dataset = next(iter(f["curves"]))
        method = next(iter(f["curves"][dataset]))
        model = next(iter(f["curves"][dataset][method]["questions"]))
    group = f"curves/{dataset}/{method}"
    ds = xr.open_dataset(path, group=group, engine="h5netcdf")
    # Dimension provider: a dimension `model` would clash with the 0-d `model` of each questions/<model> group.
    failures.check(ds["accuracy"].dims == ("provider", "level"), f"curves accuracy dims {ds['accuracy'].dims}")
    failures.check(list(ds["provider"].values) == list(ds["model"].values), "curves provider coordinate = model")
    name = str(ds["provider"].values[0])
    failures.check(ds.sel(provider=name)["accuracy"].dims == ("level",), "curves sel(provider=...)")
    q = xr.open_dataset(path, group=f"{group}/questions/{model}", engine="h5netcdf")
    failures.check(q["p_correct"].dims == ("question", "level"), f"questions p_correct dims {q['p_correct'].dims}")


def check_ncdump(files, failures):
    """netCDF-C (ncdump) reads the header of every file and all the data of the small ones; returns files read."""
    import shutil
    if shutil.which("ncdump") is None:
        print("NOTE: ncdump not installed (apt-get install netcdf-bin): the netCDF-C check did not run")
        return 0
    expected = {"market": ["group: market", "beta = 103", "provider = 9", "level = 6"],
                "ensemble": ["group: ensemble", f"market = {ENSEMBLE_MARKETS}", "threshold = 5"],
                "population": ["group: population", "replicate = 2"],
                "curves": ["group: curves", "level ="]}
    for kind, path in files.items():
        header = subprocess.run(["ncdump", "-h", path], capture_output=True, text=True)
        failures.check(header.returncode == 0, f"ncdump -h {path} exited {header.returncode}: {header.stderr[-500:]}")
        for text in expected[kind]:
            failures.check(text in header.stdout, f"ncdump -h {path}: no '{text}' in the header")
        if kind != "ensemble":
            data = subprocess.run(["ncdump", path], capture_output=True, text=True)
            failures.check(data.returncode == 0, f"ncdump {path} exited {data.returncode}: {data.stderr[-500:]}")
            failures.check("data:" in data.stdout, f"ncdump {path}: no data section")
    return len(files)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--scratch", required=True)
    args = parser.parse_args()
    os.makedirs(args.scratch, exist_ok=True)
    inputs = os.path.abspath(args.inputs)

    market = os.path.join(args.scratch, "market.h5")
    run(args.cli, "run", os.path.join(inputs, "paper", "gsm8k-majority.toml"), "--no-checkpoint", "-o", market)
    ensemble = os.path.join(args.scratch, "ensemble.h5")
    scenario = os.path.join(args.scratch, "ensemble.toml")
    with open(os.path.join(inputs, "ensembles", "paper-gsm8k-ensemble.toml")) as source:
        text = source.read().replace("markets = 1000000", f"markets = {ENSEMBLE_MARKETS}")
    text = text.replace('"../paper/', '"' + os.path.join(inputs, "paper") + "/")
    with open(scenario, "w") as out:
        out.write(text)
    run(args.cli, "run", scenario, "--no-checkpoint", "-o", ensemble)
    population = os.path.join(args.scratch, "population.h5")
    run(args.cli, "population", os.path.join(inputs, "populations", "math-mix.toml"), "--users", "3000",
        "--replicates", "2", "-o", population)
    curves = os.path.join(args.scratch, "curves.h5")
    synthetic = os.path.join(inputs, "runlogs", "synthetic")
    logs = sorted(os.path.join(synthetic, f) for f in os.listdir(synthetic) if f.startswith("Synth"))
    run(args.cli, "curves", *logs, "--bootstrap", "20", "-o", curves)

    failures = Failures()
    opened = sum(check_groups(path, failures) for path in (market, ensemble, population, curves))
    check_market(market, failures)
    check_ensemble(ensemble, failures)
    check_population(population, failures)
    check_curves(curves, failures)
    read_by_netcdf = check_ncdump({"market": market, "ensemble": ensemble, "population": population,
                                   "curves": curves}, failures)
    for message in failures:
        print("FAIL:", message)
    if failures:
        return 1
    print(f"OK: {opened} groups opened with xarray/h5netcdf, named dimensions, sel() by coordinate; "
          f"{read_by_netcdf} files read by ncdump")
    return 0


if __name__ == "__main__":
    sys.exit(main())

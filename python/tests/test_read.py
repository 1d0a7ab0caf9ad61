"""The reader (python/ttcgames) against files written by the CLI: tables, datasets, errors."""

import math
import os
import shutil
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

import ttcgames

REL = 1e-12


def group_paths(path):
    paths = []
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: paths.append(name) if isinstance(obj, h5py.Group) else None)
    return paths


# ---------------------------------------------------------------------------------------------------- opening


def test_read_rejects_what_is_not_a_result_file(env):
    text = env.path("not-hdf5.h5")
    with open(text, "w") as handle:
        handle.write("hello\n")
    with pytest.raises(ttcgames.FormatError, match="cannot open as HDF5"):
        ttcgames.read(text)
    other = env.path("other-format.h5")
    with h5py.File(other, "w") as f:
        f.attrs["format"] = "something-else"
    with pytest.raises(ttcgames.FormatError, match="not a ttcgames result file"):
        ttcgames.read(other)
    with pytest.raises(FileNotFoundError):
        ttcgames.read(env.path("does-not-exist.h5"))


def test_read_rejects_another_major_version(env, market_file):
    copy = env.path("major3.h5")
    shutil.copy(market_file, copy)
    with h5py.File(copy, "r+") as f:
        f.attrs["format_version"] = np.array([3, 0], dtype=np.int32)
    with pytest.raises(ttcgames.FormatError, match="3.x"):
        ttcgames.read(copy)


def test_version_is_the_programs(env):
    out = env.run("--version").stdout.split()
    assert out[0] == "ttcgames" and out[1] == ttcgames.__version__


def test_kinds_and_groups(market_file, population_only_file, ensemble_file, curves_file):
    assert ttcgames.read(market_file).kinds == {"market", "auction"}
    assert ttcgames.read(market_file).groups["market"] == ["gsm8k-best-of-n", "gsm8k-majority"]
    assert ttcgames.read(population_only_file).kinds == {"population"}
    assert ttcgames.read(ensemble_file).kinds == {"ensemble"}
    assert ttcgames.read(curves_file).kinds == {"curves"}


# ---------------------------------------------------------------------------------------------------- markets


def test_markets_one_row_per_scenario_and_beta(market_file):
    r = ttcgames.read(market_file)
    m = r.markets
    with h5py.File(market_file, "r") as f:
        for scenario in ("gsm8k-majority", "gsm8k-best-of-n"):
            g = f["market"][scenario]
            rows = m[m.scenario == scenario]
            assert len(rows) == g["beta"].shape[0] == 15
            assert rows["beta"].tolist() == g["beta"][()].tolist()
            assert rows["listed"].tolist() == [True] * 3 + [False] * 12
            for column in ("equilibrium_welfare", "optimal_welfare", "price_of_anarchy", "max_regret",
                           "price_of_anarchy_worst", "price_of_stability"):
                assert np.array_equal(rows[column].to_numpy(), g[column][()]), column
            assert (rows["num_equilibria"] >= 1).all()
            theta = g["theta"][()]
            for (_, row), levels in zip(rows.iterrows(), g["equilibrium_profile"][()]):
                assert row["equilibrium_profile"] == tuple(levels.tolist())
                assert row["equilibrium_theta"] == tuple(theta[levels].tolist())
            a = f["auction"][scenario]
            assert (rows["auction_winner"] == a["winner"].asstr()[()]).all()
            assert (rows["auction_welfare"] == a["welfare"][()]).all()
            assert (rows["auction_reserve"] == "none").all()
    ratio = m["optimal_welfare"] / m["equilibrium_welfare"]
    assert np.allclose(m["price_of_anarchy"], ratio, rtol=REL)
    assert np.allclose(m["inefficiency_percent"], 100 * (m["price_of_anarchy"] - 1), rtol=REL)
    assert (m["price_of_anarchy_worst"] >= m["price_of_stability"]).all()


def test_profiles_long_table(market_file):
    r = ttcgames.read(market_file)
    p, m = r.profiles, r.markets
    assert len(p) == 9 * len(m)
    shares = p.groupby(["scenario", "row"])["share"].sum().to_numpy()
    outside = m.sort_values(["scenario", "row"])["outside_share"].to_numpy()
    assert np.allclose(shares + outside, 1.0, rtol=1e-12)
    first = p[(p.scenario == "gsm8k-majority") & (p.row == 0)]
    assert tuple(first["equilibrium_level"]) == m[(m.scenario == "gsm8k-majority") & (m.row == 0)][
        "equilibrium_profile"].iloc[0]


def test_auctions_table(market_file):
    a = ttcgames.read(market_file).auctions
    assert sorted(a["scenario"]) == ["gsm8k-best-of-n", "gsm8k-majority"]
    assert np.allclose(a["welfare"] - a["user_value"], a["winner_utility"], rtol=1e-9, atol=1e-15)


def test_markets_of_the_whole_paper(golden_file):
    """The paper's nine markets, 103 betas each; the README's 21.7 % at beta = 200."""
    m = ttcgames.read(golden_file).markets
    assert len(m) == 9 * 103
    row = m[(m.scenario == "gsm8k-majority") & (m.beta == 200.0) & m.listed].iloc[0]
    assert round(row["inefficiency_percent"], 1) == 21.7
    assert row["num_equilibria"] == 1


def test_infinite_price_of_anarchy(infinite_poa_file):
    m = ttcgames.read(infinite_poa_file).markets
    low = m[m.beta <= 1.0]
    assert (low["equilibrium_welfare"] < 0).all() and (low["optimal_welfare"] > 0).all()
    assert np.isinf(low["price_of_anarchy"]).all() and np.isinf(low["inefficiency_percent"]).all()
    assert np.isfinite(m[m.beta >= 1e4]["price_of_anarchy"]).all()


def test_market_dataset_has_named_dimensions(market_file):
    r = ttcgames.read(market_file)
    ds = r.dataset("market/gsm8k-majority")
    assert ds.sizes["beta"] == 15 and ds.sizes["provider"] == 9 and ds.sizes["level"] == 6
    assert ds["equilibrium_profile"].dims == ("beta", "provider")
    assert ds["accuracy"].dims == ("provider", "level")
    assert ds["price_of_anarchy"].attrs["units"] == "1" and ds["optimal_welfare"].attrs["units"] == "USD"
    assert ds["theta"].values.tolist() == [1.0, 4.0, 8.0, 16.0, 32.0, 64.0]
    at = ds.sel(beta=1000.0)
    m = r.markets
    row = m[(m.scenario == "gsm8k-majority") & (m.beta == 1000.0)].iloc[0]
    assert float(at["price_of_anarchy"]) == row["price_of_anarchy"]
    assert tuple(at["equilibrium_profile"].values.tolist()) == row["equilibrium_profile"]
    assert at["shares"].sel(provider="Qwen2.5-7B").item() > 0
    assert ds.attrs["group"] == "/market/gsm8k-majority" and ds.attrs["alpha"] == 0.008
    a = r.dataset("auction/gsm8k-majority")
    assert a["scores"].dims == ("provider",) and a["winner"].item() == row["auction_winner"]


def test_every_group_of_every_kind_has_named_dimensions(market_file, population_file, ensemble_file,
                                                        curves_file):
    """No dataset of the documented layout falls back to generic dimension names."""
    for path in (market_file, population_file, ensemble_file, curves_file):
        r = ttcgames.read(path)
        for group in group_paths(path):
            ds = r.dataset(group)
            generic = [(name, v.dims) for name, v in ds.variables.items() if any("_dim" in d for d in v.dims)]
            assert not generic, f"{path}:/{group}: {generic}"


def test_dataset_of_a_missing_group_names_the_groups(market_file):
    with pytest.raises(KeyError, match="gsm8k-majority"):
        ttcgames.read(market_file).dataset("market/nope")


def test_dimension_scales_in_the_file_win(env, market_file):
    """The file's HDF5 dimension scales (netCDF-4 conventions) name the dimensions; dimension labels name the axes
    of a dataset without scales."""
    copy = env.path("scales.h5")
    shutil.copy(market_file, copy)
    with h5py.File(copy, "r+") as f:
        g = f["market/gsm8k-majority"]
        assert h5py.h5ds.is_scale(g["beta"].id) and [len(axis) for axis in g["shares"].dims] == [1, 1]
        g["shares"].dims[0].detach_scale(g["beta"])
        g["shares"].dims[1].detach_scale(g["provider"])
        g["shares"].dims[0].label = "rationality"
        g["shares"].dims[1].label = "seller"
    ds = ttcgames.read(copy).dataset("market/gsm8k-majority")
    assert ds["price_of_anarchy"].dims == ("beta",)
    assert ds["shares"].dims == ("rationality", "seller")
    assert float(ds.sel(beta=200.0)["price_of_anarchy"]) > 1
    assert "provider" in ds.coords and "providers" not in ds.variables


# ---------------------------------------------------------------------------------------------------- populations


def test_populations_one_row_per_replicate(population_file):
    r = ttcgames.read(population_file)
    p = r.populations
    assert p["replicate"].tolist() == [0, 1, 2] and (p["users"] == 6000).all()
    assert np.allclose(p["price_of_anarchy"], p["optimal_welfare"] / p["equilibrium_welfare"], rtol=REL)
    assert (p["optimal_welfare"] <= p["optimal_welfare_upper_bound"] * (1 + 1e-12)).all()
    assert all(len(t) == 9 for t in p["equilibrium_profile"])
    assert r.markets["scenario"].tolist() == ["gsm8k-heterogeneous"]  # its single-user market beside it


def test_population_tallies_and_histograms(population_file):
    r = ttcgames.read(population_file)
    t = r.population_tallies
    assert set(t["regime"]) == {"market", "auction", "first_best", "replicates"}
    welfare = t[(t.regime == "market") & (t.quantity == "welfare")].iloc[0]
    assert welfare["count"] == 18000 and welfare["units"] == "USD"
    assert math.isclose(welfare["mean"], welfare["sum"] / welfare["count"], rel_tol=1e-12)
    assert welfare["ci95_low"] < welfare["mean"] < welfare["ci95_high"]
    assert welfare["q0.01"] <= welfare["q0.5"] <= welfare["q0.99"]
    poa = t[(t.regime == "replicates") & (t.quantity == "price_of_anarchy")].iloc[0]
    assert poa["count"] == 3 and math.isclose(poa["mean"], r.populations["price_of_anarchy"].mean(), rel_tol=1e-12)
    h = r.population_histogram("gsm8k-heterogeneous", "auction", "user_surplus")
    assert h["count"].sum() + h.attrs["underflow"] + h.attrs["overflow"] == h.attrs["count"] == 18000
    assert np.allclose(h["hi"].to_numpy()[:-1], h["lo"].to_numpy()[1:])


def test_population_datasets(population_file):
    r = ttcgames.read(population_file)
    rep = r.dataset("population/gsm8k-heterogeneous/replicates")
    assert rep["shares"].dims == ("replicate", "provider") and rep.sizes["replicate"] == 3
    assert rep["provider"].values.tolist() == r.dataset("population/gsm8k-heterogeneous")["provider"].values.tolist()
    regime = r.dataset("population/gsm8k-heterogeneous/market")
    assert regime["choices"].dims == ("choice",) and regime["choice"].values[-1] == "outside-option"
    assert int(regime["choices"].sum()) == 18000
    tally = r.dataset("population/gsm8k-heterogeneous/market/welfare")
    assert tally["ci95_low"].dims == () and tally.attrs["interval"] == "student-t"
    histogram = r.dataset("population/gsm8k-heterogeneous/market/welfare/histogram")
    assert histogram["counts"].dims == ("bin",) and histogram["quantiles"].dims == ("quantile",)
    assert float(histogram["quantile"][4]) == 0.5
    assert int(histogram["counts"].sum()) + int(histogram["underflow"]) + int(histogram["overflow"]) == 18000


def test_population_only_file_has_empty_market_tables(population_only_file):
    r = ttcgames.read(population_only_file)
    assert r.markets.empty and r.profiles.empty and r.ensembles.empty and r.curves.empty
    assert len(r.populations) == 2 and not r.population_tallies.empty


# ---------------------------------------------------------------------------------------------------- ensembles


def test_ensemble_tables(ensemble_file):
    r = ttcgames.read(ensemble_file)
    e = r.ensembles
    ineff = e[e.quantity == "inefficiency_percent"].iloc[0]
    markets = r.ensemble_markets
    assert len(markets) == 2000 and ineff["count"] + int(np.isinf(markets["price_of_anarchy"]).sum()) == 2000
    finite = markets["inefficiency_percent"][np.isfinite(markets["inefficiency_percent"])]
    assert math.isclose(ineff["mean"], finite.mean(), rel_tol=1e-9)
    assert ineff["quantiles"] == "exact"
    assert math.isclose(ineff["q0.5"], float(np.quantile(finite, 0.5)), rel_tol=1e-12)
    first = markets.iloc[0]
    assert len(first["provider_names"]) == first["num_providers"] == len(first["equilibrium_profile"])
    counts = r.ensemble_counts.iloc[0]
    assert counts["num_markets"] == 2000
    above = (markets["inefficiency_percent"] > 10).mean()
    assert math.isclose(counts["fraction_above_10_percent"], above, rel_tol=1e-12)
    h = r.ensemble_histogram("paper-gsm8k-ensemble", "inefficiency_percent")
    assert h["count"].sum() + h.attrs["underflow"] + h.attrs["overflow"] == 2000


def test_ensemble_datasets(ensemble_file):
    r = ttcgames.read(ensemble_file)
    m = r.dataset("ensemble/paper-gsm8k-ensemble/markets")
    assert m["beta"].dims == ("market",) and m["providers"].dims == ("market", "slot")
    q = r.dataset("ensemble/paper-gsm8k-ensemble/statistics/inefficiency_percent")
    assert q["quantiles"].dims == ("quantile",)
    assert float(q["quantiles"].sel(quantile=0.5)) == pytest.approx(
        r.ensembles.set_index("quantity").loc["inefficiency_percent", "q0.5"])
    top = r.dataset("ensemble/paper-gsm8k-ensemble")
    assert top["fraction_above_threshold"].dims == ("threshold",)
    assert top["threshold"].values.tolist() == [1.0, 5.0, 10.0, 25.0, 50.0]


# ---------------------------------------------------------------------------------------------------- curves


def test_curves_table(curves_file):
    r = ttcgames.read(curves_file)
    c = r.curves
    assert set(c["method"]) == {"majority", "best-of-n", "pass@k", "relative-effort"}
    with h5py.File(curves_file, "r") as f:
        for method in ("majority", "relative-effort"):
            g = f["curves/synthetic"][method]
            rows = c[c.method == method]
            M, K = g["accuracy"].shape
            assert len(rows) == M * K
            assert np.array_equal(rows["accuracy"].to_numpy(), g["accuracy"][()].reshape(-1))
            assert np.array_equal(rows["accuracy_hi"].to_numpy(), g["accuracy_hi"][()].reshape(-1))
            assert rows["model"].tolist() == np.repeat(g["model"].asstr()[()], K).tolist()
    assert (c[c.method == "relative-effort"]["bin_samples"] > 0).all()
    assert c[c.method == "majority"]["bin_samples"].isna().all()


def test_curve_questions_average_to_the_curve(curves_file):
    r = ttcgames.read(curves_file)
    q = r.curve_questions("synthetic", "majority", "SynthA-7B")
    mean = q.groupby("theta")["p_correct"].mean().to_numpy()
    c = r.curves
    curve = c[(c.method == "majority") & (c.model == "SynthA-7B")]["accuracy"].to_numpy()
    assert np.allclose(mean, curve, rtol=1e-12)
    ds = r.dataset("curves/synthetic/majority/questions/SynthA-7B")
    assert ds["p_correct"].dims == ("question", "level") and ds.sizes["question"] == 200
    with pytest.raises(KeyError, match="SynthA-7B"):
        r.curve_questions("synthetic", "majority", "nobody")


def test_curves_dataset(curves_file):
    ds = ttcgames.read(curves_file).dataset("curves/synthetic/best-of-n")
    # The file's dimension is `provider` (format 1.3; a model is a provider of the market).
    assert ds["accuracy"].dims == ("provider", "level") and ds["num_questions"].dims == ("provider",)
    assert list(ds["provider"].values) == ["SynthA-7B", "SynthB-1B", "SynthC-3B"]
    at = ds["accuracy"].sel(provider="SynthA-7B")
    assert at.isel(level=-1) >= at.isel(level=0)


def test_tables_are_pandas(market_file):
    r = ttcgames.read(market_file)
    for table in (r.markets, r.profiles, r.auctions, r.populations, r.population_tallies, r.ensembles,
                  r.ensemble_counts, r.ensemble_markets, r.curves):
        assert isinstance(table, pd.DataFrame)
    assert os.path.basename(r.path) == "markets.h5" and "markets.h5" in repr(r)


V1_FILE = Path(__file__).resolve().parents[2] / "tests" / "data" / "v1" / "tiny-everything-v1.h5"


def test_student_t_quantiles():
    from ttcgames._stats import t_quantile
    # R's qt(0.975, df) to 10 significant digits: the package's quantile holds them to its last digit.
    for dof, expected in ((1, 12.706204736), (2, 4.302652730), (4, 2.776445105), (30, 2.042272456)):
        assert t_quantile(0.975, dof) == pytest.approx(expected, rel=1e-9)
    assert t_quantile(0.975, 10 ** 6) == pytest.approx(1.959966357, rel=1e-9)  # → z_{0.975} = 1.959963985


def test_reads_format_version_1_files():
    """A file written before the statistics schema was unified (format 1.2) reads with the version-2 columns and
    Student-t intervals recomputed from its sums."""
    r = ttcgames.read(str(V1_FILE))
    assert len(r.markets) == 2
    e = r.ensembles.set_index("quantity")
    assert len(e) == 9 and {"sd", "standard_error", "ci95_low", "ci95_high", "converged"} <= set(e.columns)
    ineff = e.loc["inefficiency_percent"]
    from ttcgames._stats import t_quantile
    assert ineff["ci95_high"] - ineff["mean"] == pytest.approx(t_quantile(0.975, 29) * ineff["standard_error"])
    assert ineff["quantiles"] == "exact" and ineff["converged"] == 30
    assert len(r.ensemble_histogram("tiny-everything", "inefficiency_percent")) == 20
    t = r.population_tallies
    poa = t[(t.regime == "replicates") & (t.quantity == "price_of_anarchy")].iloc[0]
    assert poa["count"] == 2 and poa["converged"] == 2 and poa["non_converged"] == 0
    assert (poa["ci95_high"] - poa["mean"]) / poa["standard_error"] == pytest.approx(12.706204736, rel=1e-9)
    assert r.population_histogram("tiny-everything", "market", "welfare")["count"].sum() > 0

"""scripts/plot_results.py (on the ttcgames.plots module) draws every kind of file, and never fails on a valid one."""

import contextlib
import importlib.util
import io
import os
import subprocess
import sys
import warnings

import pytest

import ttcgames

pytest.importorskip("matplotlib")

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "plot_results.py")
MARKET_KINDS = ("value_curves", "inefficiency", "profiles", "market_vs_auction")
PNG = b"\x89PNG\r\n\x1a\n"


def load_script():
    spec = importlib.util.spec_from_file_location("plot_results", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def plot(env, path, *extra, check=True, process=False):
    """Runs plot_results.py on `path`: in a new process, or (faster) its main() in this one with its output captured
    and every warning an error."""
    out_dir = env.path("figures_" + os.path.splitext(os.path.basename(path))[0])
    argv = [path, "-o", out_dir, "--dpi", "60", *extra]
    if process:
        result = subprocess.run([sys.executable, SCRIPT, *argv], capture_output=True, text=True)
    else:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
            warnings.simplefilter("error")
            code = load_script().main(argv)
        result = subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())
    if check:
        assert result.returncode == 0, result.stderr
        assert result.stderr == "", result.stderr  # no warning from any figure
    return out_dir, result


def check_figures(env, path, stems, *extra, process=False):
    out_dir, result = plot(env, path, *extra, process=process)
    suffix = "pdf" if "pdf" in extra else "png"
    expected = [os.path.join(out_dir, f"{stem}.{suffix}") for stem in stems]
    printed = [line for line in result.stdout.splitlines() if line.strip()]
    assert sorted(printed) == sorted(expected)
    for figure in expected:
        with open(figure, "rb") as handle:
            head = handle.read(8)
        assert os.path.getsize(figure) > 1000
        assert head == PNG if suffix == "png" else head.startswith(b"%PDF")


def test_markets(env, market_file):
    check_figures(env, market_file, [f"{kind}_gsm8k" for kind in MARKET_KINDS], process=True)


def test_market_with_unbounded_price_of_anarchy(env, infinite_poa_file):
    check_figures(env, infinite_poa_file, [f"{kind}_negative-welfare" for kind in MARKET_KINDS])


def test_population_with_its_market(env, population_file):
    check_figures(env, population_file, [f"{kind}_gsm8k-heterogeneous" for kind in MARKET_KINDS] +
                  ["population_gsm8k-heterogeneous"])


def test_population_only(env, population_only_file):
    check_figures(env, population_only_file, ["population_math-mix"])


def test_ensemble(env, ensemble_file):
    check_figures(env, ensemble_file, ["ensemble_paper-gsm8k-ensemble"])


def test_curves(env, curves_file):
    check_figures(env, curves_file, ["curves_synthetic_majority", "curves_synthetic_best-of-n",
                                     "curves_synthetic_pass_k", "curves_synthetic_relative-effort"])


def test_exact_curves_without_percentile_bars(env, exact_curves_file):
    check_figures(env, exact_curves_file, ["curves_synthetic_best-of-n", "curves_synthetic_pass_k"], "--format",
                  "pdf")


def test_everything_in_one_file(env, everything_file):
    """Market, auction, ensemble without stored markets and population without realized outcomes, with PoA = +inf
    in places."""
    r = ttcgames.read(everything_file)
    assert r.kinds == {"market", "auction", "ensemble", "population"}
    assert r.ensemble_markets.empty and (r.ensemble_counts["infinite_price_of_anarchy"] > 0).all()
    check_figures(env, everything_file, [f"{kind}_everything" for kind in MARKET_KINDS] +
                  ["population_everything", "ensemble_everything"])


def test_named_groups_only(env, market_file):
    check_figures(env, market_file, [f"{kind}_gsm8k" for kind in MARKET_KINDS], "--scenarios", "gsm8k-majority")
    out_dir, result = plot(env, market_file, "--scenarios", "nothing-here", check=False)
    assert result.returncode == 1 and "gsm8k-majority" in result.stderr


def test_bad_input_exits_1(env):
    bad = env.path("not-a-result.h5")
    with open(bad, "w") as handle:
        handle.write("text\n")
    _, result = plot(env, bad, check=False, process=True)
    assert result.returncode == 1 and "cannot open as HDF5" in result.stderr
    _, result = plot(env, env.path("missing.h5"), check=False)
    assert result.returncode == 1


def test_plots_api(env, curves_file):
    import ttcgames.plots

    out_dir = env.path("figures_api")
    os.makedirs(out_dir, exist_ok=True)
    out = ttcgames.plots.Output(out_dir, dpi=50)
    written = ttcgames.plots.draw(ttcgames.read(curves_file), out, names={"synthetic"})
    assert len(written) == 4 and all(os.path.isfile(p) for p in written)

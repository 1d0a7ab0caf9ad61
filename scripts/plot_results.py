#!/usr/bin/python3
"""Figures of a ttcgames result file of any kind (docs/hdf5-format.md), drawn with the ttcgames Python package.

    /usr/bin/python3 scripts/plot_results.py results/paper.h5 -o results/figures [--format png|pdf]
                                             [--scenarios NAME ...] [--dpi 150]

Writes, for what the file holds (--scenarios keeps only the named scenarios, populations, ensembles and curve
datasets):

  markets       value_curves_<g>       user value V_i(theta) = q - p per provider against theta
  (/market,     inefficiency_<g>       100 (PoA - 1) % against beta over the sweep; with all equilibria enumerated,
   /auction)                           the worst equilibrium (dashed) and the price of stability (dotted)
                profiles_<g>           the level theta each provider chooses at the reached equilibrium, against beta
                market_vs_auction_<g>  market outcomes at the listed betas next to the reverse second-price auction
                (scenarios named "<benchmark>-<method>" are grouped by benchmark <g>, one panel per method)
  populations   population_<p>         per-user welfare, user surplus and payment distributions under the market and
                                       the auction, their means with 95 % CIs, who serves the users, and SW*/SW,
                                       the realized inefficiencies and the first-best ratio per replicate
  ensembles     ensemble_<e>           inefficiency histograms (reached and worst equilibrium), tail fractions
                                       P(inefficiency > x) with the file's threshold counts, the auction's welfare
                                       ratios, and the inefficiency against beta (or the quantiles)
  curves        curves_<d>_<m>         accuracy and billed tokens against theta per model with their intervals

and prints the path of every figure. Needs numpy, h5py, pandas, xarray and matplotlib (Debian: python3-numpy
python3-h5py python3-pandas python3-xarray python3-matplotlib). The ttcgames package is found beside this script
(../python, in the repository and in an installed share/ttcgames/) or on PYTHONPATH.
Exit status: 0 on success (also for a file that holds nothing to draw), 1 on a usage or input error (a message on
stderr).
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def import_package():
    try:
        import ttcgames  # noqa: F401
    except ImportError:
        sys.path.insert(0, os.path.normpath(os.path.join(HERE, "..", "python")))
    try:
        import matplotlib

        matplotlib.use("Agg")
        import ttcgames
        import ttcgames.plots
    except ImportError as error:  # pragma: no cover - depends on the machine
        sys.exit(f"plot_results.py: {error}; install python3-numpy python3-h5py python3-pandas python3-xarray "
                 "python3-matplotlib (Debian) and run it with /usr/bin/python3")
    return ttcgames


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="result file written by ttcgames (HDF5)")
    parser.add_argument("-o", "--output", default=None,
                        help="directory for the figures (default: 'figures' beside the result file)")
    parser.add_argument("--format", choices=("png", "pdf"), default="png", help="image format (default: png)")
    parser.add_argument("--scenarios", nargs="+", metavar="NAME",
                        help="draw only these scenarios, populations, ensembles or curve datasets")
    parser.add_argument("--dpi", type=float, default=150.0, help="resolution of raster images (default: 150)")
    args = parser.parse_args(argv)
    if args.dpi <= 0:
        parser.error("--dpi must be positive")
    ttcgames = import_package()
    import matplotlib.pyplot as plt

    try:
        results = ttcgames.read(args.results)
    except (ttcgames.FormatError, OSError) as error:
        print(f"plot_results.py: {error}", file=sys.stderr)
        return 1
    if args.scenarios:
        held = sorted({name for names in results.groups.values() for name in names})
        missing = [name for name in args.scenarios if name not in held]
        if missing:
            print(f"plot_results.py: {args.results}: no group named {', '.join(missing)}; the file holds: "
                  f"{', '.join(held) or '(nothing)'}", file=sys.stderr)
            return 1
    out_dir = args.output or os.path.join(os.path.dirname(os.path.abspath(args.results)), "figures")
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as error:
        print(f"plot_results.py: {error}", file=sys.stderr)
        return 1
    plt.rcParams.update({"font.size": 9, "axes.titlesize": 10, "figure.titlesize": 12})
    out = ttcgames.plots.Output(out_dir, args.format, args.dpi)
    ttcgames.plots.draw(results, out, set(args.scenarios) if args.scenarios else None)
    if not out.written:
        print(f"plot_results.py: {args.results} holds nothing to draw", file=sys.stderr)
    for path in out.written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

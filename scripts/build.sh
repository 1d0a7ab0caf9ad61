#!/usr/bin/env bash
# Configures and builds ttcgames in build/ (Release; the CUDA backend when nvcc is found, see CMakePresets.json).
#
#   scripts/build.sh [--no-tests] [cmake configure arguments...]
#
# --no-tests builds only the tool (the program and its man page): no GoogleTest suite, no benchmarks; install it
# with `cmake --install build --prefix ~/.local` (docs/cli.md, "Installing"). Other arguments go to the configure
# step, e.g. scripts/build.sh -DTTCG_USE_CUDA=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
configure=()
for arg in "$@"; do
  case $arg in
    --no-tests) configure+=(-DTTCG_BUILD_TESTS=OFF -DTTCG_BUILD_BENCH=OFF) ;;
    -h | --help)
      sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *) configure+=("$arg") ;;
  esac
done
cmake --preset release "${configure[@]}"
cmake --build --preset release -j "$(nproc)"

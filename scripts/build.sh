#!/usr/bin/env bash
# Configures and builds ttcgames in build/ (Release; the CUDA backend when nvcc is found, see CMakePresets.json).
# Extra arguments go to the configure step, e.g. scripts/build.sh -DTTCG_USE_CUDA=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release "$@"
cmake --build --preset release -j "$(nproc)"

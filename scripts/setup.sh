#!/usr/bin/env bash
# Installs the Debian packages ttcgames needs to build, test, benchmark and plot. Idempotent: when everything is
# already installed it changes nothing; otherwise it runs apt-get update first, then installs what is missing.
# The CUDA toolkit is not a Debian package here: the build uses /usr/local/cuda when present and works without it.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git clang-format
  libhdf5-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libsimdjson-dev libspdlog-dev libfmt-dev
  librandom123-dev libzstd-dev zlib1g-dev libpcre2-dev
  libcurl4-openssl-dev
  libopenmpi-dev openmpi-bin
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-h5py python3-matplotlib python3-pandas python3-xarray python3-h5netcdf python3-pytest bc help2man
  netcdf-bin  # ncdump: the netCDF-C library reads every result file (tests/python/test_xarray_groups.py)
  clang-14 libclang-rt-14-dev libomp-14-dev  # scripts/fuzz.sh: libFuzzer and the sanitizers' runtimes, OpenMP for clang
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

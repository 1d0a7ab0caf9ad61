#!/usr/bin/env bash
# scripts/gpu-check.sh without a usable GPU: it must say so and exit 77 within a minute, writing nothing into the
# source tree. Three machines without a GPU are simulated through NVIDIA_SMI: no driver (nvidia-smi missing), a
# driver that lists no device, and (when nvcc is installed) a listed device the CUDA runtime cannot use.
#     tests/scripts/test_gpu_check.sh <gpu-check.sh> <scratch dir>
set -uo pipefail
script=$1
scratch=$2
rm -rf "$scratch"
mkdir -p "$scratch/bin"
failures=0

expect_no_gpu() {  # description, expected message part, then environment assignments for the run
  local what=$1 part=$2
  shift 2
  local t0 rc took
  t0=$(date +%s)
  env "$@" "$script" --build "$scratch/build" --out "$scratch/out" >"$scratch/log" 2>&1
  rc=$?
  took=$(($(date +%s) - t0))
  if [[ $rc -ne 77 ]]; then
    echo "FAIL ($what): exit status $rc, expected 77"; failures=$((failures + 1))
  elif ! grep -q "no usable GPU: .*$part" "$scratch/log"; then
    echo "FAIL ($what): the message does not say '$part'"; failures=$((failures + 1))
  elif ((took >= 60)); then
    echo "FAIL ($what): took $took s, the limit is 60 s"; failures=$((failures + 1))
  else
    echo "ok ($what): exit 77 in $took s: $(head -n 1 "$scratch/log")"
  fi
}

expect_no_gpu "no driver" "not found" NVIDIA_SMI="$scratch/bin/missing-nvidia-smi"

cat >"$scratch/bin/nvidia-smi-none" <<'STUB'
#!/bin/sh
echo "No devices were found"
exit 6
STUB
chmod +x "$scratch/bin/nvidia-smi-none"
expect_no_gpu "driver without devices" "No devices were found" NVIDIA_SMI="$scratch/bin/nvidia-smi-none"

nvcc=/usr/local/cuda/bin/nvcc
if [[ -x $nvcc ]] && ! command -v nvidia-smi >/dev/null 2>&1; then
  cat >"$scratch/bin/nvidia-smi-ghost" <<'STUB'
#!/bin/sh
echo "NVIDIA H200, 9.0, 143771 MiB"
STUB
  chmod +x "$scratch/bin/nvidia-smi-ghost"
  expect_no_gpu "a listed device without a driver" "" NVIDIA_SMI="$scratch/bin/nvidia-smi-ghost" NVCC="$nvcc"
else
  echo "note: no nvcc, or a real nvidia-smi: the listed-but-unusable case is not simulated"
fi

if ((failures)); then
  exit 1
fi
echo "OK"

#!/usr/bin/env bash
# One call that verifies the CUDA backend on a GPU machine (docs/cluster.md, "Checking a GPU"):
#   1. probes the GPU (nvidia-smi, then a tiny CUDA program reading the device properties); without a usable GPU it
#      prints why and exits 77 within a minute;
#   2. configures and builds only what the check needs with CUDA for sm_90 and the detected architecture
#      (the library, tests/parity, the GPU benchmarks) in build-gpu-check/;
#   3. runs the CUDA parity and statistical tests (parity_tests, every CUDA-vs-CPU test of tests/parity);
#   4. runs each GPU benchmark briefly (Google Benchmark, JSON output);
#   5. writes gpu-check.json and gpu-check.txt: the device and its peaks (FP64 rate and memory bandwidth from the
#      device properties), tests passed/failed, and per kernel the items per second and the fraction of the peaks
#      implied by the benchmark's work model (its fp64_per_item and bytes_per_item counters: estimates).
# All of it within a wall-time budget (default 470 s, under 8 minutes including the build).
#
#     scripts/gpu-check.sh [--out DIR] [--build DIR] [--budget SECONDS] [--jobs N]
#
# --out defaults to $OUT when set (the device machine's result folder), else <build>/report; --build to
# build-gpu-check (its own build directory, so that build/ and build-cpu/ stay as they are). Environment:
# NVIDIA_SMI (default nvidia-smi), NVCC (default /usr/local/cuda/bin/nvcc, else nvcc on PATH), PYTHON (default
# python3; only its standard library is used). Exit status: 0 all tests passed and every benchmark ran, 1 a step
# failed (the report says which), 77 no usable GPU.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

build=$repo/build-gpu-check
out_dir=${OUT:-}
budget=470
jobs=$(nproc 2>/dev/null || echo 4)
while (($#)); do
  case $1 in
    --out) out_dir=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown argument '$1' (valid: --out DIR, --build DIR, --budget SECONDS, --jobs N)" >&2; exit 2 ;;
  esac
done
out_dir=${out_dir:-$build/report}

start=$(date +%s)
remaining() { echo $((budget - ($(date +%s) - start))); }
no_gpu() {
  echo "gpu-check: no usable GPU: $*"
  exit 77
}

# ---- 1. probe -----------------------------------------------------------------------------------------------------
smi=${NVIDIA_SMI:-nvidia-smi}
command -v "$smi" >/dev/null 2>&1 || no_gpu "$smi not found (no NVIDIA driver on this machine)"
gpus=$(timeout 30 "$smi" --query-gpu=name,compute_cap,memory.total --format=csv,noheader 2>&1) ||
  no_gpu "$smi failed: $(echo "$gpus" | head -n 3)"
gpus=$(echo "$gpus" | grep -v '^[[:space:]]*$')
[[ -n $gpus ]] || no_gpu "$smi lists no GPU"
cap=$(echo "$gpus" | head -n 1 | awk -F', ' '{print $2}')
[[ $cap =~ ^[0-9]+\.[0-9]+$ ]] || no_gpu "cannot read the compute capability from '$smi': '$gpus'"
arch=${cap/./}
archs="90"
[[ $arch != 90 ]] && archs="90;$arch"

nvcc=${NVCC:-/usr/local/cuda/bin/nvcc}
[[ -x $nvcc ]] || nvcc=$(command -v nvcc || true)
python=${PYTHON:-python3}
command -v "$python" >/dev/null 2>&1 || { echo "gpu-check: $python not found (needed for the report)"; exit 1; }
if [[ -z $nvcc ]]; then
  echo "gpu-check: a GPU is present ($gpus) but no CUDA compiler (set NVCC or install the CUDA toolkit)"
  exit 1
fi

mkdir -p "$build/probe" "$out_dir/logs" || { echo "gpu-check: cannot create $build or $out_dir"; exit 1; }
logs=$out_dir/logs

# The device properties, from the CUDA runtime (also proves the GPU is usable by a CUDA program).
cat >"$build/probe/device_properties.cu" <<'EOF'
// Prints the current device's properties and peaks as JSON (scripts/gpu-check.sh).
#include <cuda_runtime.h>
#include <cstdio>
static int attribute(cudaDeviceAttr a, int device) {
  int v = 0;
  return cudaDeviceGetAttribute(&v, a, device) == cudaSuccess ? v : 0;
}
int main() {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count == 0) {
    std::printf("{\"error\": \"%s\"}\n", e != cudaSuccess ? cudaGetErrorString(e) : "no CUDA device");
    return 1;
  }
  cudaDeviceProp p;
  if (cudaGetDeviceProperties(&p, 0) != cudaSuccess) {
    std::printf("{\"error\": \"cudaGetDeviceProperties failed\"}\n");
    return 1;
  }
  // FP64 FMA units per SM by compute capability (CUDA C Programming Guide, arithmetic instructions throughput).
  const int cc = 10 * p.major + p.minor;
  int fp64_per_sm = 0;
  if (cc == 60 || cc == 70 || cc == 80) fp64_per_sm = 32;
  else if (cc == 90 || cc == 100) fp64_per_sm = 64;
  else if (cc >= 61) fp64_per_sm = 2;
  const double clock_hz = 1e3 * attribute(cudaDevAttrClockRate, 0);
  const double memory_clock_hz = 1e3 * attribute(cudaDevAttrMemoryClockRate, 0);
  const int bus_bits = attribute(cudaDevAttrGlobalMemoryBusWidth, 0);
  const double fp64_peak = static_cast<double>(p.multiProcessorCount) * fp64_per_sm * 2.0 * clock_hz;
  const double bandwidth_peak = 2.0 * memory_clock_hz * bus_bits / 8.0;  // double data rate
  std::printf("{\"name\": \"%s\", \"compute_capability\": \"%d.%d\", \"multiprocessors\": %d, "
              "\"clock_hz\": %.0f, \"memory_clock_hz\": %.0f, \"memory_bus_bits\": %d, \"global_memory_bytes\": %zu, "
              "\"fp64_units_per_sm\": %d, \"peak_fp64_flops\": %.6g, \"peak_memory_bytes_per_s\": %.6g}\n",
              p.name, p.major, p.minor, p.multiProcessorCount, clock_hz, memory_clock_hz, bus_bits,
              p.totalGlobalMem, fp64_per_sm, fp64_peak, bandwidth_peak);
  return 0;
}
EOF
if ! timeout 60 "$nvcc" -O2 -arch="sm_$arch" -o "$build/probe/device_properties" "$build/probe/device_properties.cu" \
  >"$logs/probe-build.log" 2>&1; then
  no_gpu "the device-properties probe does not build for sm_$arch: $(tail -n 3 "$logs/probe-build.log")"
fi
device=$(timeout 30 "$build/probe/device_properties" 2>&1) || no_gpu "the CUDA runtime cannot use it: $device"
echo "gpu-check: $gpus; building for sm_${archs//;/, sm_} with $jobs jobs (budget ${budget} s)"

# ---- 2. configure and build ---------------------------------------------------------------------------------------
steps=()  # "name|status|seconds"
step() {  # name, timeout seconds, command...; records the outcome, output in $logs/<name>.log
  local name=$1 limit=$2
  shift 2
  local t0=$(date +%s) status=passed
  ((limit > 0)) || { steps+=("$name|skipped: budget spent|0"); return 1; }
  timeout "$limit" "$@" >"$logs/$name.log" 2>&1 || status="failed (exit $?)"
  steps+=("$name|$status|$(($(date +%s) - t0))")
  [[ $status == passed ]]
}

launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
benches=(enumeration_bench ensemble_bench population_bench curves_bench)
built=0
if step configure "$(remaining)" cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTTCG_USE_CUDA=ON \
  -DTTCG_USE_MPI=OFF -DTTCG_BUILD_TESTS=ON -DTTCG_BUILD_BENCH=ON -DCMAKE_CUDA_COMPILER="$nvcc" \
  "-DCMAKE_CUDA_ARCHITECTURES=$archs" "${launcher[@]}"; then
  step build "$(remaining)" cmake --build "$build" -j "$jobs" --target parity_tests "${benches[@]}" && built=1
fi

# ---- 3. tests ------------------------------------------------------------------------------------------------------
if ((built)); then
  step parity_tests "$(($(remaining) - 90))" env OMP_NUM_THREADS="$jobs" "$build/tests/parity_tests" \
    --gtest_output="json:$out_dir/parity_tests.json"
fi

# ---- 4. benchmarks -------------------------------------------------------------------------------------------------
if ((built)); then
  for b in "${benches[@]}"; do
    step "$b" "$(($(remaining) - 10))" "$build/bench/$b" --benchmark_filter=Cuda --benchmark_min_time=0.2 \
      --benchmark_format=json --benchmark_out="$out_dir/$b.json" --benchmark_out_format=json
  done
fi

# ---- 5. report -----------------------------------------------------------------------------------------------------
printf '%s\n' "${steps[@]}" >"$build/steps.txt"
echo "$device" >"$build/device.json"
"$python" - "$out_dir" "$build/steps.txt" "$build/device.json" "$gpus" "$archs" "$(($(date +%s) - start))" <<'EOF'
import json, os, sys

out_dir, steps_path, device_path, smi, archs, seconds = sys.argv[1:7]
device = json.load(open(device_path))
steps = []
for line in open(steps_path):
    name, status, took = line.rstrip("\n").split("|")
    steps.append({"step": name, "status": status, "seconds": int(took)})

tests = {"passed": 0, "failed": 0, "skipped": 0, "failures": []}
path = os.path.join(out_dir, "parity_tests.json")
try:
    suites = json.load(open(path)).get("testsuites", []) if os.path.exists(path) else []
except ValueError:
    suites = []
for suite in suites:
    for t in suite.get("testsuite", []):
        name = suite["name"] + "." + t["name"]
        if t.get("failures"):
            tests["failed"] += 1
            tests["failures"].append(name)
        elif t.get("result") == "SKIPPED" or t.get("status") == "NOTRUN":
            tests["skipped"] += 1
        else:
            tests["passed"] += 1

kernels = []
for bench in ("enumeration_bench", "ensemble_bench", "population_bench", "curves_bench"):
    path = os.path.join(out_dir, bench + ".json")
    if not os.path.exists(path):
        continue
    try:
        results = json.load(open(path)).get("benchmarks", [])
    except ValueError:
        results = []
    if not results:
        kernels.append({"benchmark": bench, "error": f"no results (see logs/{bench}.log)"})
    for b in results:
        k = {"benchmark": bench + ":" + b["name"]}
        if b.get("error_occurred"):
            k["error"] = b.get("error_message", "error")
        else:
            rate = b.get("items_per_second", 0.0)
            k["items_per_second"] = rate
            k["fp64_flops"] = rate * b.get("fp64_per_item", 0.0)
            k["memory_bytes_per_s"] = rate * b.get("bytes_per_item", 0.0)
            k["fraction_of_peak_fp64"] = k["fp64_flops"] / device["peak_fp64_flops"] if device.get("peak_fp64_flops") else None
            k["fraction_of_peak_memory"] = (k["memory_bytes_per_s"] / device["peak_memory_bytes_per_s"]
                                            if device.get("peak_memory_bytes_per_s") else None)
        kernels.append(k)

ok = all(s["status"] == "passed" for s in steps) and tests["failed"] == 0 and tests["passed"] > 0 and \
    kernels and not any("error" in k for k in kernels)
report = {"ok": bool(ok), "seconds": int(seconds), "nvidia_smi": smi, "architectures": archs, "device": device,
          "steps": steps, "tests": tests, "kernels": kernels,
          "note": "fractions of peak use each benchmark's work model (fp64_per_item, bytes_per_item): estimates"}
json.dump(report, open(os.path.join(out_dir, "gpu-check.json"), "w"), indent=2)

lines = [f"gpu-check: {'OK' if ok else 'FAILED'} in {seconds} s on {device.get('name')} "
         f"(sm_{device.get('compute_capability', '?').replace('.', '')}, built for sm_{archs.replace(';', ', sm_')})",
         f"peaks: FP64 {device.get('peak_fp64_flops', 0) / 1e12:.1f} TFLOP/s, memory "
         f"{device.get('peak_memory_bytes_per_s', 0) / 1e12:.2f} TB/s (from the device properties)",
         "steps: " + ", ".join(f"{s['step']} {s['status']} ({s['seconds']} s)" for s in steps),
         f"tests: {tests['passed']} passed, {tests['failed']} failed, {tests['skipped']} skipped"
         + ("; failed: " + ", ".join(tests["failures"]) if tests["failures"] else "")]
for k in kernels:
    if "error" in k:
        lines.append(f"  {k['benchmark']}: ERROR {k['error']}")
        continue
    f64 = k["fraction_of_peak_fp64"]
    mem = k["fraction_of_peak_memory"]
    lines.append(f"  {k['benchmark']}: {k['items_per_second']:.3g} items/s"
                 + (f", FP64 {100 * f64:.1f}% of peak" if f64 else "")
                 + (f", memory {100 * mem:.1f}% of peak" if mem else ""))
text = "\n".join(lines) + "\n"
open(os.path.join(out_dir, "gpu-check.txt"), "w").write(text)
print(text, end="")
sys.exit(0 if ok else 1)
EOF

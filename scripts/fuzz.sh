#!/usr/bin/env bash
# Builds the libFuzzer targets (cmake --preset fuzz: clang 14 with ASan + UBSan, in build-fuzz/) and runs each one on
# its seed corpus (tests/fuzz/<target>/) for a bounded time. Fails on any finding: a crash, a sanitizer report, a leak,
# an exception other than InputError, an input slower than 30 s or using more than 2 GiB. Findings (the input that
# triggers them) are kept in build-fuzz/findings/<target>/; replay one with build-fuzz/tests/fuzz/fuzz_<target> FILE.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     default 10: about a minute for the six targets, plus the build
#
# New corpus entries go to a scratch directory, so the committed seeds stay as they are. The executions per target
# are printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
targets=(scenario csv runlog results results_structure checkpoint)

cmake --preset fuzz -DCMAKE_CXX_COMPILER_LAUNCHER="$(command -v ccache || true)" >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMP_NUM_THREADS=1

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
summary=""
for target in "${targets[@]}"; do
  findings=build-fuzz/findings/$target
  mkdir -p "$findings" "$scratch/$target"
  log=build-fuzz/findings/$target.log
  echo "fuzz_$target: ${seconds} s"
  if build-fuzz/tests/fuzz/fuzz_$target "$scratch/$target" "tests/fuzz/$target" -max_total_time="$seconds" \
    -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/" >"$log" 2>&1; then
    result=ok
  else
    result="FINDING (see $log and $findings/)"
    status=1
    tail -n 40 "$log"
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  summary+=$(printf '%-20s %12s executions  %s' "fuzz_$target" "${runs:-?}" "$result")$'\n'
done
printf '\n%s' "$summary"
exit $status

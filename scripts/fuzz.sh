#!/usr/bin/env bash
# Builds the libFuzzer targets (cmake --preset fuzz: clang 14 with ASan + UBSan, in build-fuzz/) and runs each one on
# its seed corpus (tests/fuzz/<target>/) for a bounded time. Fails on any finding in ttcgames: a crash, a sanitizer
# report, a leak, an exception other than InputError, an input slower than the timeout or using more than 2 GiB.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     default 10: about a minute for the six targets, plus the build
#   TTCG_FUZZ_SEED=N scripts/fuzz.sh ...     libFuzzer's -seed (N + attempt after an HDF5 finding): a reproducible run
#                                            (CI); unset, each run draws its own seed (printed in the logs)
#   scripts/fuzz.sh --classify REPORT...     prints "hdf5" or "ttcgames" for each kept report (tested by ctest)
#
# Findings inside the HDF5 library itself (a damaged file that makes libhdf5 loop, crash or leak before ttcgames
# gets an answer to check) are out of scope: they are reported and kept, and the target goes on fuzzing. A finding
# counts as HDF5's when the first frame of its report outside the sanitizer, libFuzzer and libc runtimes is in
# libhdf5 and, for a memory error, the memory was not allocated by ttcgames. Every finding's input and report are
# kept in build-fuzz/findings/<target>/ (replay one with build-fuzz/tests/fuzz/fuzz_<target> FILE). New corpus
# entries go to a scratch directory: the committed seeds stay as they are. Executions per target are printed at
# the end.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
timeout=${TTCG_FUZZ_TIMEOUT:-10}
targets=(scenario csv runlog results results_structure checkpoint)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMP_NUM_THREADS=1

# Frames of the runtimes, whether symbolized or not: libc's string functions (memcpy and friends, whose frames name
# their source under sysdeps/ and change with the CPU: __memcpy_avx512_unaligned_erms on one machine,
# __memmove_avx_unaligned_erms on another), libstdc++, the sanitizers and libFuzzer.
runtime='__sanitizer|fuzzer::|libc\.so|libc-start|sysdeps/|libstdc\+\+|__interceptor|__asan|__ubsan|__lsan|libclang_rt| in (malloc|calloc|realloc|free|operator new|operator delete|_start|__libc|__mem[a-z_0-9]*|__str[a-z_0-9]*|mem(cpy|move|set|cmp)|str[a-z]*)[ (]'

#! The first stack frame of a report section outside the runtimes.
first_frame() {
  grep -E '^ +#[0-9]+ 0x' | grep -vE "$runtime" | head -n 1 || true
}

#! Whether the finding reported in log $1 lies inside the HDF5 library.
in_hdf5() {
  local frame allocated
  frame=$(sed -n '/^==[0-9]*==ERROR\|^ALARM\|^==[0-9]*== ERROR\|deadly signal/,$p' "$1" | first_frame)
  [[ $frame == *libhdf5* ]] || return 1
  if grep -q 'allocated by thread' "$1"; then
    allocated=$(sed -n '/allocated by thread/,/^$/p' "$1" | first_frame)
    [[ $allocated != *ttcg::* && $allocated != *tests/fuzz* ]] || return 1
  fi
  return 0
}

if [[ ${1:-} == --classify ]]; then
  shift
  for report in "$@"; do
    if in_hdf5 "$report"; then echo "hdf5 $report"; else echo "ttcgames $report"; fi
  done
  exit 0
fi

cmake --preset fuzz -DCMAKE_CXX_COMPILER_LAUNCHER="$(command -v ccache || true)" >/dev/null
cmake --build --preset fuzz -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
summary=""
for target in "${targets[@]}"; do
  findings=build-fuzz/findings/$target
  rm -rf "$findings"
  mkdir -p "$findings" "$scratch/$target"
  echo "fuzz_$target: ${seconds} s"
  deadline=$((SECONDS + seconds))
  runs=0 hdf5=0 result=ok attempt=0
  while ((SECONDS < deadline)); do
    attempt=$((attempt + 1))
    log=$findings/run-$attempt.log
    seed=()
    [[ -n ${TTCG_FUZZ_SEED:-} ]] && seed=(-seed=$((TTCG_FUZZ_SEED + attempt)))
    if build-fuzz/tests/fuzz/fuzz_$target "$scratch/$target" "tests/fuzz/$target" -max_total_time=$((deadline - SECONDS)) \
      "${seed[@]}" -timeout="$timeout" -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/" >"$log" 2>&1; then
      finished=1
    else
      finished=0
    fi
    executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    runs=$((runs + ${executed:-0}))
    ((finished)) && break
    if in_hdf5 "$log"; then
      hdf5=$((hdf5 + 1))
      mv "$log" "$findings/hdf5-$attempt.log"
      continue
    fi
    result="FINDING: see $log and the input in $findings/"
    status=1
    tail -n 60 "$log"
    break
  done
  ((hdf5 > 0)) && result+=" ($hdf5 inside libhdf5, out of scope: $findings/hdf5-*.log)"
  summary+=$(printf '%-24s %10s executions  %s' "fuzz_$target" "$runs" "$result")$'\n'
done
printf '\n%s' "$summary"
exit $status

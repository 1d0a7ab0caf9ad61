#!/usr/bin/env bash
# Checks scripts/fuzz.sh --classify on the kept reports of tests/fuzz/reports/: a report named hdf5-* must be
# classed "hdf5" (a fault inside libhdf5, out of scope), one named ttcgames-* must be classed "ttcgames" (fails CI).
set -euo pipefail
root=$1
failures=0
for report in "$root"/tests/fuzz/reports/*.log; do
  expected=${report##*/}
  expected=${expected%%-*}
  got=$(bash "$root/scripts/fuzz.sh" --classify "$report" | cut -d' ' -f1)
  if [[ $got != "$expected" ]]; then
    echo "FAIL: ${report##*/} classed as $got, expected $expected"
    failures=$((failures + 1))
  else
    echo "ok: ${report##*/} -> $got"
  fi
done
((failures == 0))

#!/usr/bin/env bash
# Strong scaling of ttcgames over MPI ranks (docs/cluster.md, "Scaling"): the same ensemble and the same population
# run with 1, 2, ... ranks of one OpenMP thread each; prints the wall time (median of REPEAT runs), the speed-up,
# the parallel efficiency and checks that every run wrote the same datasets.
#     scripts/scaling.sh [max_ranks=2] [repeat=3]
# Environment: TTCGAMES (default build/ttcgames), MARKETS (ensemble size, default 200000), USERS and REPLICATES
# (population, default 100000 and 4).
set -euo pipefail
cd "$(dirname "$0")/.."
max_ranks=${1:-2}
repeat=${2:-3}
cli=${TTCGAMES:-build/ttcgames}
markets=${MARKETS:-200000}
users=${USERS:-100000}
replicates=${REPLICATES:-4}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

measure() {  # name, then the ttcgames arguments (without -o)
  local name=$1
  shift
  local t1=""
  printf '%-12s %6s %10s %9s %11s\n' "$name" ranks "wall (s)" speed-up efficiency
  for ((r = 1; r <= max_ranks; r++)); do
    local times=()
    for ((k = 0; k < repeat; k++)); do
      local start end
      start=$(date +%s.%N)
      mpirun -np "$r" --oversubscribe --bind-to none "$cli" "$@" -q -o "$work/$name-$r.h5"
      end=$(date +%s.%N)
      times+=("$(echo "$end - $start" | bc -l)")
    done
    local t
    t=$(printf '%s\n' "${times[@]}" | median)
    [[ -z $t1 ]] && t1=$t
    printf '%-12s %6d %10.3f %9.2f %10.0f%%\n' "$name" "$r" "$t" "$(echo "$t1 / $t" | bc -l)" \
      "$(echo "100 * $t1 / $t / $r" | bc -l)"
  done
  /usr/bin/python3 - "$work" "$name" "$max_ranks" <<'PY'
import sys, h5py, numpy as np
work, name, R = sys.argv[1], sys.argv[2], int(sys.argv[3])
def data(p):
    out = {}
    with h5py.File(p) as f:
        f.visititems(lambda n, o: out.__setitem__(n, np.asarray(o[()]).tobytes() if o.dtype.kind in "fiub"
                                                  else repr(o[()])) if isinstance(o, h5py.Dataset) else None)
    return out
ref = data(f"{work}/{name}-1.h5")
for r in range(2, R + 1):
    print(f"{name}: {r} ranks give the 1-rank datasets bit for bit: {data(f'{work}/{name}-{r}.h5') == ref}")
PY
}

measure ensemble ensemble inputs/ensembles/paper-gsm8k-ensemble.toml -n "$markets"
measure population population inputs/populations/gsm8k-heterogeneous.toml --users "$users" --replicates "$replicates"

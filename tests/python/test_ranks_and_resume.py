#!/usr/bin/python3
"""Result files do not depend on how a run was executed (docs/cluster.md).

    /usr/bin/python3 tests/python/test_ranks_and_resume.py --cli build/ttcgames --inputs inputs --scratch /tmp/x

1. Ranks: with an MPI build, `mpirun -np R ttcgames run` for R = 1, 2, 3, 4 (oversubscribed, --bind-to none)
   writes datasets bitwise identical to the plain run's, and the root attribute `ranks` says R.
2. Resume after a clean stop: `--max-units N` stops early with exit status 75 and a checkpoint journal; `--resume`
   completes it; the result equals the uninterrupted run's bitwise. The same when the journal's last record is
   torn (truncated by a few bytes, as a kill during a write leaves it).
3. Resume after a kill: a run killed with SIGKILL once its journal holds some units, then resumed, gives the same
   file (with 1 process, and with 2 MPI ranks when MPI is built).
4. A resume with changed inputs is refused; a resume without a journal is refused; both exit 1.
Exit status: 0 on success, 77 (skipped) without numpy/h5py, 1 on failure.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

try:
    import numpy as np
    import h5py
except ImportError as error:
    print(f"SKIP: {error} (install python3-numpy python3-h5py and run with /usr/bin/python3)")
    sys.exit(77)

EXIT_INCOMPLETE = 75
# Root attributes that describe how a run was executed, not what it computed.
RUN_ATTRIBUTES = {"created_utc", "command_line", "ranks", "threads", "seconds"}
# Group attributes that are timings.
TIMING_ATTRIBUTES = {"seconds", "threads"}
KILL_TIMEOUT_S = 60.0


def mpi_env():
    env = dict(os.environ)
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1")
    return env


def contents(path):
    """Every dataset (as raw bytes, so NaN payloads and signed zeros count) and attribute of a file."""
    out = {}
    with h5py.File(path, "r") as f:
        def raw(value):
            a = np.asarray(value)
            if a.dtype.kind in "fiub":
                return (a.dtype.str, a.shape, np.ascontiguousarray(a).tobytes())
            return (a.dtype.str, a.shape, repr(a.tolist()))

        for key, value in f.attrs.items():
            if key not in RUN_ATTRIBUTES:
                out["@" + key] = raw(value)

        def visit(name, obj):
            for key, value in obj.attrs.items():
                if key not in TIMING_ATTRIBUTES:
                    out[name + "@" + key] = raw(value)
            if isinstance(obj, h5py.Dataset):
                out[name] = raw(obj[()])

        f.visititems(visit)
        ranks = int(f.attrs["ranks"])
    return out, ranks


def differences(a, b):
    keys = sorted(set(a) | set(b))
    return [k for k in keys if a.get(k) != b.get(k)]


class Checks:
    def __init__(self):
        self.failures = []

    def check(self, condition, message):
        if not condition:
            self.failures.append(message)
            print("FAIL:", message)
        return condition

    def same(self, reference, path, what):
        got, _ = contents(path)
        diff = differences(reference, got)
        return self.check(not diff, f"{what}: {len(diff)} objects differ from the plain run, e.g. {diff[:5]}")


def run(command, env=None, expect=0):
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if expect is not None and result.returncode != expect:
        raise SystemExit(f"FAIL: {' '.join(command)} exited with {result.returncode}, expected {expect}:\n"
                         f"{result.stdout}\n{result.stderr}")
    return result


def kill_midway(command, journal, env, checks, what):
    """Starts `command`, SIGKILLs it once the journal holds at least one record, returns whether it was killed."""
    header_size = None
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                               start_new_session=True)
    deadline = time.monotonic() + KILL_TIMEOUT_S
    killed = False
    while time.monotonic() < deadline and process.poll() is None:
        if os.path.exists(journal):
            size = os.path.getsize(journal)
            if header_size is None and size > 0:
                header_size = size
            elif header_size is not None and size > header_size:
                os.killpg(process.pid, signal.SIGKILL)
                killed = True
                break
        time.sleep(0.005)
    process.wait()
    checks.check(killed, f"{what}: the run ended before it could be killed midway (make it longer)")
    return killed


SWEEP_POINTS = 45  # units of the test run: 3 listed betas + this many sweep points, each enumerating 6^9 profiles


def shortened_paper_scenario(inputs, scratch):
    """The paper's GSM8K majority market with a shorter sweep and the exhaustive enumeration (absolute data paths),
    written into scratch."""
    paper = os.path.join(os.path.abspath(inputs), "paper")
    with open(os.path.join(paper, "gsm8k-majority.toml")) as f:
        text = f.read()
    for key, name in (("curves", "curves/GSM8K_majority.csv"), ("prices", "prices.csv")):
        old = f'{key} = "{name}"'
        if old not in text:
            raise SystemExit(f"FAIL: inputs/paper/gsm8k-majority.toml no longer has {old}")
        text = text.replace(old, f'{key} = "{os.path.join(paper, name)}"')
    old = "points = 100"
    if old not in text:
        raise SystemExit("FAIL: inputs/paper/gsm8k-majority.toml no longer has a 100-point sweep")
    text = text.replace(old, f"points = {SWEEP_POINTS}")
    # The exhaustive oracle, so that units take a while (runs are killed midway); the structural search would
    # finish the whole run in a fraction of a second.
    old = "[equilibria]\n"
    if old not in text:
        raise SystemExit("FAIL: inputs/paper/gsm8k-majority.toml no longer has an [equilibria] table")
    text = text.replace(old, old + 'algorithm = "exhaustive"\n')
    path = os.path.join(scratch, "gsm8k-majority-short.toml")
    with open(path, "w") as f:
        f.write(text)
    return path


ENSEMBLE_SECTION = """
[ensemble]
markets = 6000
seed = 7
providers = { min = 3, max = 9 }
price_jitter = { kind = "lognormal", sigma = 0.2 }
markup = { low = 0.1, high = 0.5, spacing = "uniform" }
beta = { low = 100.0, high = 1e5, spacing = "log" }
order = "random"
enumerate = true
enumeration_max_profiles = 1296
block_size = 1000
"""
POPULATION_USERS, POPULATION_REPLICATES = 4000, 5


def mixed_scenario(inputs, scratch):
    """One scenario with all three parts (1 market beta, 6 ensemble blocks, 5 population replicates)."""
    base = os.path.join(os.path.abspath(inputs), "populations")
    with open(os.path.join(base, "gsm8k-heterogeneous.toml")) as f:
        text = f.read()
    for key, name in (("curves", "../paper/curves/GSM8K_majority.csv"), ("prices", "../paper/prices.csv")):
        old = f'{key} = "{name}"'
        if old not in text:
            raise SystemExit(f"FAIL: inputs/populations/gsm8k-heterogeneous.toml no longer has {old}")
        text = text.replace(old, f'{key} = "{os.path.normpath(os.path.join(base, name))}"')
    for old, new in (("users = 200000", f"users = {POPULATION_USERS}"),
                     ("replicates = 4", f"replicates = {POPULATION_REPLICATES}"),
                     ("block_size = 4096", "block_size = 1024")):
        if old not in text:
            raise SystemExit(f"FAIL: inputs/populations/gsm8k-heterogeneous.toml no longer has {old}")
        text = text.replace(old, new)
    text = text.replace("[output]", ENSEMBLE_SECTION + "\n[output]")
    path = os.path.join(scratch, "mixed.toml")
    with open(path, "w") as f:
        f.write(text)
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", required=True)
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--scratch", required=True)
    args = parser.parse_args()
    shutil.rmtree(args.scratch, ignore_errors=True)
    os.makedirs(args.scratch)
    cli = os.path.abspath(args.cli)
    scenario = shortened_paper_scenario(args.inputs, args.scratch)
    small = os.path.join(args.inputs, "paper", "aime-reasoning.toml")
    out = lambda name: os.path.join(args.scratch, name)  # noqa: E731
    checks = Checks()
    version = run([cli, "--version"]).stdout
    with_mpi = ", MPI," in version and shutil.which("mpirun") is not None

    # The reference: one process, every unit computed in one go, equilibria enumerated (so units take a while).
    base = [cli, "run", scenario, "-q", "--threads", "2"]
    run(base + ["-o", out("plain.h5")])
    reference, ranks = contents(out("plain.h5"))
    checks.check(ranks == 1, f"plain run records ranks = {ranks}")
    checks.check(not os.path.exists(out("plain.h5.ckpt")), "the journal of a completed run is removed")

    # 1. Rank counts.
    if with_mpi:
        for r in (1, 2, 3, 4):
            path = out(f"ranks{r}.h5")
            run(["mpirun", "-np", str(r), "--oversubscribe", "--bind-to", "none"] + base[:-2] +
                ["--threads", "1", "-o", path], env=mpi_env())
            checks.same(reference, path, f"mpirun -np {r}")
            _, got = contents(path)
            checks.check(got == r, f"mpirun -np {r}: the root attribute ranks is {got}")
    else:
        print("note: MPI not built or mpirun missing: rank-count checks skipped")

    # 1b. The same for a run with all three kinds of units: market betas, ensemble blocks, population replicates.
    mixed = mixed_scenario(args.inputs, args.scratch)
    mixed_base = [cli, "run", mixed, "-q", "--threads", "2"]
    run(mixed_base + ["-o", out("mixed.h5")])
    mixed_reference, _ = contents(out("mixed.h5"))
    for group in ("market/gsm8k-heterogeneous", "ensemble/gsm8k-heterogeneous", "population/gsm8k-heterogeneous"):
        checks.check(any(k.startswith(group) for k in mixed_reference), f"the mixed run wrote no /{group}")
    if with_mpi:
        for r in (2, 3):
            path = out(f"mixed-ranks{r}.h5")
            run(["mpirun", "-np", str(r), "--oversubscribe", "--bind-to", "none"] + mixed_base[:-2] +
                ["--threads", "1", "-o", path], env=mpi_env())
            checks.same(mixed_reference, path, f"mixed run, mpirun -np {r}")
    path = out("mixed-stopped.h5")
    stops = 0
    command = mixed_base + ["-o", path, "--max-units", "2"]
    while run(command, expect=None).returncode == EXIT_INCOMPLETE and stops < 20:
        stops += 1
        command = mixed_base + ["-o", path, "--max-units", "2", "--resume"]
    checks.check(stops >= 3, f"the mixed run stopped only {stops} times with --max-units 2")
    checks.same(mixed_reference, path, f"mixed run stopped {stops} times and resumed")

    # 2. Clean stop and resume, also across a torn last record.
    path = out("stopped.h5")
    stopped = run(base + ["-o", path, "--max-units", "1"], expect=EXIT_INCOMPLETE)
    checks.check(not os.path.exists(path), "a stopped run leaves no result file")
    checks.check(os.path.exists(path + ".ckpt"), "a stopped run keeps its journal")
    checks.check("--resume" in stopped.stderr or stopped.stderr == "", "the stop message names --resume")
    run(base + ["-o", path, "--max-units", "1", "--resume"], expect=EXIT_INCOMPLETE)
    with open(path + ".ckpt", "r+b") as journal:
        journal.truncate(os.path.getsize(path + ".ckpt") - 7)  # tear the last record
    run(base + ["-o", path, "--resume"])
    checks.same(reference, path, "stop after one wave, stop again, tear the last record, resume")
    checks.check(not os.path.exists(path + ".ckpt"), "the journal is removed once the resumed run completes")

    # 3. Kill and resume.
    path = out("killed.h5")
    if kill_midway(base + ["-o", path], path + ".ckpt", None, checks, "one process"):
        checks.check(not os.path.exists(path), "a killed run leaves no result file")
        run(base + ["-o", path, "--resume"])
        checks.same(reference, path, "killed, then resumed")
    if with_mpi:
        path = out("killed-mpi.h5")
        mpi = ["mpirun", "-np", "2", "--oversubscribe", "--bind-to", "none"] + base[:-2] + ["--threads", "1"]
        if kill_midway(mpi + ["-o", path], path + ".ckpt", mpi_env(), checks, "2 MPI ranks"):
            run(["mpirun", "-np", "3", "--oversubscribe", "--bind-to", "none"] + base[:-2] +
                ["--threads", "1", "-o", path, "--resume"], env=mpi_env())
            checks.same(reference, path, "killed with 2 ranks, resumed with 3")

    # 4. Refusals.
    path = out("changed.h5")
    run(base + ["-o", path, "--max-units", "10"], expect=EXIT_INCOMPLETE)
    changed = run(base + ["-o", path, "--resume", "--seed", "5"], expect=1)
    checks.check("different run" in changed.stderr, f"changed inputs: stderr says {changed.stderr!r}")
    missing = run([cli, "run", small, "-q", "-o", out("none.h5"), "--resume"], expect=1)
    checks.check("no checkpoint journal" in missing.stderr, f"no journal: stderr says {missing.stderr!r}")

    # 4b. Under MPI, bad input ends every rank with status 1 and a message, without hanging.
    if with_mpi:
        bad = os.path.join(args.scratch, "bad.toml")
        with open(bad, "w") as f:
            f.write('format = "ttcgames-scenario"\nversion = 1\nname = "bad"\n[market]\nalpha = -1\n')
        try:
            result = subprocess.run(["mpirun", "-np", "2", "--oversubscribe", "--bind-to", "none", cli, "run", bad,
                                     "-q", "-o", out("bad.h5")], capture_output=True, text=True, env=mpi_env(),
                                    timeout=KILL_TIMEOUT_S)
            checks.check(result.returncode != 0 and "alpha" in result.stderr,
                         f"bad input under mpirun -np 2: exit {result.returncode}, stderr {result.stderr!r}")
            checks.check(not os.path.exists(out("bad.h5")), "bad input under mpirun wrote a file")
        except subprocess.TimeoutExpired:
            checks.check(False, "bad input under mpirun -np 2 hung")

    # 5. A build without MPI started by mpirun with several processes refuses to run (they would all write).
    if not with_mpi and shutil.which("mpirun") is not None:
        path = out("no-mpi.h5")
        result = run(["mpirun", "-np", "2", "--oversubscribe", "--bind-to", "none", cli, "run", small, "-q", "-o",
                      path], env=mpi_env(), expect=None)
        checks.check(result.returncode != 0 and "without MPI" in result.stderr,
                     f"no-MPI build under mpirun -np 2: exit {result.returncode}, stderr {result.stderr!r}")
        checks.check(not os.path.exists(path), "no-MPI build under mpirun -np 2 wrote a file")

    if checks.failures:
        print(f"{len(checks.failures)} checks failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

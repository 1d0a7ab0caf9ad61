"""Fixtures of the ttcgames Python tests: small result files of every kind, made with the CLI.

    /usr/bin/python3 -m pytest python/tests --cli build/ttcgames --inputs inputs --scratch /tmp/x [--golden FILE]

(tests/CMakeLists.txt runs it from ctest through python/tests/run.py). The files are written once per session into
the scratch directory.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

REPOSITORY = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(REPOSITORY, "python"))


def pytest_addoption(parser):
    parser.addoption("--cli", required=True, help="the ttcgames executable")
    parser.addoption("--inputs", required=True, help="the repository's inputs/ directory")
    parser.addoption("--scratch", required=True, help="a directory for the files (created, emptied)")
    parser.addoption("--golden", default=None, help="a complete paper.h5 (tests/data/golden/paper.h5), optional")


class Environment:
    def __init__(self, config):
        self.cli = os.path.abspath(config.getoption("--cli"))
        self.inputs = os.path.abspath(config.getoption("--inputs"))
        self.scratch = os.path.abspath(config.getoption("--scratch"))
        self.golden = config.getoption("--golden")

    def path(self, name):
        return os.path.join(self.scratch, name)

    def run(self, *args, check=True):
        command = [self.cli, *map(str, args)]
        result = subprocess.run(command, capture_output=True, text=True,
                                env={**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2")})
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(command)} exited with {result.returncode}:\n{result.stderr}")
        return result

    def small_scenario(self, source, name, points=12, enumerate_=True):
        """A copy of an input scenario with a short beta sweep and absolute data paths, in the scratch directory."""
        with open(source) as handle:
            text = handle.read()
        directory = os.path.dirname(source)
        text = re.sub(r'(curves|prices) = "([^"/][^"]*)"',
                      lambda m: f'{m.group(1)} = "{os.path.join(directory, m.group(2))}"', text)
        text = re.sub(r"points = \d+", f"points = {points}", text)
        text = re.sub(r"enumerate = \w+", f"enumerate = {'true' if enumerate_ else 'false'}", text)
        path = self.path(f"{name}.toml")
        with open(path, "w") as handle:
            handle.write(text)
        return path


@pytest.fixture(scope="session")
def env(request):
    e = Environment(request.config)
    if os.path.isdir(e.scratch):
        shutil.rmtree(e.scratch)
    os.makedirs(e.scratch)
    return e


@pytest.fixture(scope="session")
def market_file(env):
    """Two paper scenarios of one benchmark (majority, best-of-n), 3 listed + 12 swept betas, all equilibria."""
    paper = os.path.join(env.inputs, "paper")
    scenarios = [env.small_scenario(os.path.join(paper, f"gsm8k-{m}.toml"), f"gsm8k-{m}") for m in
                 ("majority", "best-of-n")]
    path = env.path("markets.h5")
    env.run("run", *scenarios, "-q", "-o", path)
    return path


@pytest.fixture(scope="session")
def population_file(env):
    """The heterogeneous GSM8K population, 6000 users x 3 replicates, with its single-user market and auction."""
    source = os.path.join(env.inputs, "populations", "gsm8k-heterogeneous.toml")
    with open(source) as handle:
        text = handle.read()
    text = re.sub(r"^users = \d+", "users = 6000", text, flags=re.M)
    text = re.sub(r"^replicates = \d+", "replicates = 3", text, flags=re.M)
    text = text.replace('"../paper/', '"' + os.path.join(env.inputs, "paper") + "/")
    scenario = env.path("heterogeneous.toml")
    with open(scenario, "w") as handle:
        handle.write(text)
    path = env.path("population.h5")
    env.run("run", scenario, "--no-enumerate", "-q", "-o", path)
    return path


@pytest.fixture(scope="session")
def population_only_file(env):
    """A population without a market: `ttcgames population inputs/populations/math-mix.toml`, shrunk."""
    path = env.path("population_only.h5")
    env.run("population", os.path.join(env.inputs, "populations", "math-mix.toml"), "--users", 4000,
            "--replicates", 2, "-q", "-o", path)
    return path


@pytest.fixture(scope="session")
def ensemble_file(env):
    path = env.path("ensemble.h5")
    env.run("ensemble", os.path.join(env.inputs, "ensembles", "paper-gsm8k-ensemble.toml"), "-n", 2000, "-q",
            "--backend", "cpu", "-o", path)
    return path


@pytest.fixture(scope="session")
def curves_file(env):
    logs = sorted(os.path.join(env.inputs, "runlogs", "synthetic", f)
                  for f in os.listdir(os.path.join(env.inputs, "runlogs", "synthetic")) if f.endswith(".jsonl"))
    path = env.path("curves.h5")
    env.run("curves", *logs, "--permutations", 64, "--bootstrap", 100, "-q", "-o", path)
    return path


INFINITE_POA_SCENARIO = """
format = "ttcgames-scenario"
version = 1
name = "negative-welfare"
description = "At small beta both providers bill a million tokens: SW < 0 < SW*, PoA = +inf"

[market]
alpha = 0.008

[providers]
theta = [1, 4]

[[providers.inline]]
name = "A"
usd_per_million_tokens = 1.0
accuracy = [0.5, 0.6]
tokens = [100, 1000000]

[[providers.inline]]
name = "B"
usd_per_million_tokens = 1.0
accuracy = [0.4, 0.7]
tokens = [100, 1000000]

[beta]
values = [1.0]
sweep = { from = 0.1, to = 1e5, points = 12, spacing = "log" }

[equilibria]
enumerate = true
"""


@pytest.fixture(scope="session")
def infinite_poa_file(env):
    """A market whose equilibrium welfare is negative at small beta (PoA = +inf there), finite at large beta."""
    scenario = env.path("negative-welfare.toml")
    with open(scenario, "w") as handle:
        handle.write(INFINITE_POA_SCENARIO)
    path = env.path("negative_welfare.h5")
    env.run("run", scenario, "-q", "-o", path)
    return path


@pytest.fixture(scope="session")
def golden_file(env):
    if not env.golden or not os.path.isfile(env.golden):
        pytest.skip("no --golden paper.h5 given")
    return env.golden


EVERYTHING_SCENARIO = INFINITE_POA_SCENARIO.replace('name = "negative-welfare"', 'name = "everything"').replace(
    "[equilibria]\nenumerate = true\n", "") + """
[ensemble]
markets = 400
seed = 3
providers = { min = 1, max = 2 }
beta = { low = 0.1, high = 1e5, spacing = "log" }
store_markets = false

[population]
users = 2000
replicates = 3
seed = 5
beta = { kind = "lognormal", median = 100.0, sigma = 2.0 }
realize = false
"""


@pytest.fixture(scope="session")
def everything_file(env):
    """One scenario with a market (PoA = +inf at small beta), an ensemble without stored markets (some PoA = +inf)
    and a population without realized outcomes (SW < 0 in every replicate)."""
    scenario = env.path("everything.toml")
    with open(scenario, "w") as handle:
        handle.write(EVERYTHING_SCENARIO)
    path = env.path("everything.h5")
    env.run("run", scenario, "-q", "-o", path)
    return path


@pytest.fixture(scope="session")
def exact_curves_file(env):
    """Curves with the exact estimator (no percentile bars: NaN) and no relative effort."""
    logs = sorted(os.path.join(env.inputs, "runlogs", "synthetic", f)
                  for f in os.listdir(os.path.join(env.inputs, "runlogs", "synthetic"))
                  if f.startswith("Synth") and f.endswith(".jsonl"))
    path = env.path("curves_exact.h5")
    env.run("curves", *logs, "--method", "best-of-n", "--method", "pass@k", "--exact", "--bootstrap", 50, "-q",
            "-o", path)
    return path

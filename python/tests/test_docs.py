"""The Python examples of docs/python.md run as written (on the session's small files) and print what it shows."""

import contextlib
import io
import os
import re

import pytest

DOC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "python.md")


def blocks(text):
    """[(language, code)] of the fenced blocks, in order."""
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, flags=re.M | re.S)]


def test_python_md_examples(env, market_file, population_file, ensemble_file, curves_file):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    with open(DOC, encoding="utf-8") as handle:
        found = blocks(handle.read())
    files = {"results/gsm8k.h5": market_file, "results/gsm8k-heterogeneous.h5": population_file,
             "results/paper-gsm8k-ensemble.h5": ensemble_file, "results/synthetic-curves.h5": curves_file,
             "results/poa_vs_beta.png": env.path("poa_vs_beta.png")}
    namespace = {}
    ran = 0
    for index, (language, code) in enumerate(found):
        if language != "python":
            continue
        for name, path in files.items():
            code = code.replace(f'"{name}"', repr(path))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"docs/python.md block {index}", "exec"), namespace)
        ran += 1
        following = found[index + 1] if index + 1 < len(found) else None
        if following is not None and following[0] == "":  # an output block right after: the printed text
            shown = [line.split() for line in following[1].strip().splitlines()]
            printed = [line.split() for line in out.getvalue().strip().splitlines()]
            assert printed == shown, f"block {index} printed:\n{out.getvalue()}"
    assert ran >= 4
    assert os.path.getsize(env.path("poa_vs_beta.png")) > 1000

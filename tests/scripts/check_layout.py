#!/usr/bin/env python3
"""The source tree's layout rules (docs/design.md), checked on every test run:

1. Stage folders: every header under include/ttcgames/ and every source under src/ (the CLI excepted) and cuda/
   (its launch glue at the root excepted) lies in a stage folder; unit tests are filed by stage too.
2. Layering: core -> io -> market -> inference -> population -> ensemble -> run -> cli. A file includes headers of its
   own stage and of stages to its left only; an upward include is an error unless it is listed in ALLOWED_UPWARD
   (which may only shrink).
3. Sizes: no source or header over MAX_LINES lines; src/cli/main.cpp (dispatch only) at most MAX_MAIN_LINES.
4. Names: every source has a header of the same name (public in include/ttcgames/<stage>/ or private beside it),
   or is one of the named parts of a header in PARTS.

Usage: check_layout.py [--root DIR] [--report]   (--report prints the tree's file-size distribution and the
upward includes; the exit status is 1 when a rule is broken.)
"""
import argparse
import os
import re
import sys

STAGES = ["core", "io", "market", "inference", "population", "ensemble", "run", "cli"]
MAX_LINES = 600
MAX_MAIN_LINES = 150
# Upward includes still allowed (file, included header), each to be removed; the list may only shrink.
ALLOWED_UPWARD = set()
# Sources that implement part of a header with another name: source stem -> header stem (same stage).
PARTS = {
    "cuda_unavailable": "cuda_*",  # the absence of every stage's CUDA entry points (cuda_*.hpp)
    "curves_output": "curves",
    "curves_plan": "curves",
    "ensemble_results": "ensemble",
    "ensemble_tallies": "ensemble",
    "h5_dims": "h5",
    "h5_read": "h5",
    "h5_write": "h5",
    "market_results": "results",
    "population_cpu": "population",
    "population_engine": "population",
}
CUDA_ROOT_FILES = {"CMakeLists.txt", "entry_points.cpp", "launchers.hpp", "cuda_check.cuh"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"ttcgames/([a-z_]+)/[^"]+"', re.M)


def stage_of(rel):
    """The stage folder of a path relative to its tree root (include/ttcgames, src, cuda, tests/unit)."""
    head = rel.split("/")[0]
    return head if head in STAGES and "/" in rel else None


def files_under(root, top, exts):
    out = []
    base = os.path.join(root, top)
    for d, _, names in os.walk(base):
        for n in names:
            if n.endswith(exts):
                out.append(os.path.relpath(os.path.join(d, n), base))
    return sorted(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    ap.add_argument("--report", action="store_true")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    errors = []
    code_exts = (".hpp", ".cpp", ".cu", ".cuh")
    trees = {
        "include/ttcgames": files_under(root, "include/ttcgames", (".hpp", ".hpp.in")),
        "src": files_under(root, "src", code_exts),
        "cuda": files_under(root, "cuda", code_exts),
        "tests/unit": files_under(root, "tests/unit", (".cpp", ".hpp")),
    }
    # 1. stage folders
    for top, rels in trees.items():
        for rel in rels:
            if stage_of(rel) is None and not (top == "cuda" and rel in CUDA_ROOT_FILES):
                errors.append(f"{top}/{rel}: not in a stage folder ({', '.join(STAGES)})")
    # 2. layering
    upward = []
    for top in ("include/ttcgames", "src", "cuda"):
        for rel in trees[top]:
            own = stage_of(rel)
            if own is None:
                continue
            with open(os.path.join(root, top, rel), encoding="utf-8") as f:
                text = f.read()
            for m in INCLUDE.finditer(text):
                target = m.group(1)
                if target in STAGES and STAGES.index(target) > STAGES.index(own):
                    header = m.group(0).split('"')[1]
                    upward.append((f"{top}/{rel}", header))
    for path, header in upward:
        if (path, header) not in ALLOWED_UPWARD:
            errors.append(f"{path}: includes {header}, a later stage (layering: {' -> '.join(STAGES)})")
    # 3. sizes
    sizes = []
    for top in ("include/ttcgames", "src", "cuda"):
        for rel in trees[top]:
            with open(os.path.join(root, top, rel), encoding="utf-8") as f:
                n = sum(1 for _ in f)
            sizes.append((n, f"{top}/{rel}"))
            if n > MAX_LINES:
                errors.append(f"{top}/{rel}: {n} lines (at most {MAX_LINES}; split it by responsibility)")
    main_cpp = os.path.join(root, "src/cli/main.cpp")
    with open(main_cpp, encoding="utf-8") as f:
        n_main = sum(1 for _ in f)
    if n_main > MAX_MAIN_LINES:
        errors.append(f"src/cli/main.cpp: {n_main} lines (at most {MAX_MAIN_LINES}: main() only dispatches)")
    # 4. names
    headers = {os.path.splitext(r)[0] for r in trees["include/ttcgames"]}
    headers |= {os.path.splitext(r)[0] for r in trees["src"] if r.endswith(".hpp")}
    for rel in trees["src"]:
        if not rel.endswith(".cpp") or rel.startswith("cli/"):
            continue
        stem = os.path.splitext(rel)[0]
        stage, name = stem.split("/", 1)
        if stem in headers:
            continue
        part_of = PARTS.get(name)
        if part_of is None:
            errors.append(f"src/{rel}: no header include/ttcgames/{stem}.hpp (or src/{stem}.hpp), and not a "
                          f"named part of one (PARTS in {os.path.relpath(__file__, root)})")
        elif not part_of.endswith("*") and f"{stage}/{part_of}" not in headers:
            errors.append(f"src/{rel}: listed as a part of {stage}/{part_of}.hpp, which does not exist")
    if args.report:
        sizes.sort(reverse=True)
        buckets = [(0, 100), (100, 200), (200, 300), (300, 400), (400, 500), (500, MAX_LINES + 1),
                   (MAX_LINES + 1, 10**9)]
        print(f"{len(sizes)} files; lines: " + ", ".join(
            f"{lo}-{hi - 1 if hi < 10**9 else ''}: {sum(lo <= n < hi for n, _ in sizes)}" for lo, hi in buckets))
        print("largest: " + ", ".join(f"{p} {n}" for n, p in sizes[:8]))
        print(f"src/cli/main.cpp: {n_main} lines")
        print(f"upward includes: {len(upward)}" + "".join(f"\n  {p} -> {h}" for p, h in upward))
    for e in errors:
        print("layout: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

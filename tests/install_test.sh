#!/usr/bin/env bash
# `cmake --install` into a scratch prefix, then checks what landed (cmake/install.cmake):
#   the program runs from PREFIX/bin and reports the project's version;
#   the man page is there and lists every subcommand (when help2man was found at configure time);
#   the bash completion is valid bash and completes the subcommands, an option and its choices;
#   the Python package imports from PREFIX/share/ttcgames/python and the figures script starts from its place;
#   the documentation and the shipped inputs are there.
#
#   tests/install_test.sh <cmake> <build dir> <scratch prefix> <man page expected: 0|1> <python> <version>
set -uo pipefail
cmake=$1 build=$2 prefix=$3 expect_man=$4 python=$5 version=$6
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

rm -rf "$prefix"
if ! "$cmake" --install "$build" --prefix "$prefix" >"$prefix.log" 2>&1; then
    cat "$prefix.log"
    echo "FAIL: cmake --install $build --prefix $prefix"
    exit 1
fi

# The program.
bin="$prefix/bin/ttcgames"
[[ -x $bin ]] || fail "$bin missing or not executable"
out=$("$bin" --version 2>&1) || fail "$bin --version exited with $?"
[[ $out == "ttcgames $version "* ]] || fail "$bin --version printed '$out', expected 'ttcgames $version ...'"

# The man page.
man_page="$prefix/share/man/man1/ttcgames.1"
if [[ $expect_man == 1 ]]; then
    if [[ -f $man_page ]]; then
        grep -q '^\.TH TTCGAMES "1"' "$man_page" || fail "$man_page: no .TH TTCGAMES header"
        for sub in $("$bin" --help | sed -n '/^Subcommands:/,$p' | sed -n 's/^  \([a-z][a-z0-9-]*\).*/\1/p'); do
            grep -q "^\.SS $sub\$" "$man_page" || fail "$man_page: no section for subcommand '$sub'"
        done
        grep -q '^\.SH "EXIT STATUS"' "$man_page" || fail "$man_page: no EXIT STATUS section"
    else
        fail "$man_page missing (help2man was found at configure time)"
    fi
else
    echo "note: help2man was not found at configure time: no man page expected (apt-get install help2man)"
    [[ ! -e $man_page ]] || fail "$man_page exists although help2man was not found"
fi

# The bash completion: syntax, then completions through the installed program.
completion="$prefix/share/bash-completion/completions/ttcgames"
if [[ -f $completion ]]; then
    bash -n "$completion" || fail "$completion: bash syntax error"
    result=$(PATH="$prefix/bin:$PATH" bash -c '
        source "$1"
        complete_words() {
            COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
            _ttcgames 2>/dev/null
            echo "${COMPREPLY[*]}"
        }
        complete -p ttcgames
        complete_words ttcgames ""
        complete_words ttcgames po
        complete_words ttcgames run --back
        complete_words ttcgames run --backend ""
        complete_words ttcgames auction --reserve o
    ' _ "$completion" 2>&1)
    mapfile -t lines <<<"$result"
    [[ ${lines[0]} == "complete -F _ttcgames ttcgames" ]] || fail "completion not registered: '${lines[0]}'"
    for sub in run market auction ensemble population summary runlog-info curves; do
        [[ " ${lines[1]} " == *" $sub "* ]] || fail "completion of 'ttcgames ' lacks '$sub': '${lines[1]}'"
    done
    [[ ${lines[2]} == "population" ]] || fail "completion of 'ttcgames po': '${lines[2]}'"
    [[ ${lines[3]} == "--backend" ]] || fail "completion of 'ttcgames run --back': '${lines[3]}'"
    [[ ${lines[4]} == "auto cpu cuda" ]] || fail "completion of 'ttcgames run --backend ': '${lines[4]}'"
    [[ ${lines[5]} == "outside-option" ]] || fail "completion of 'ttcgames auction --reserve o': '${lines[5]}'"
else
    fail "$completion missing"
fi

# The Python package and the figures script, from their installed place.
share="$prefix/share/ttcgames"
if "$python" -c "import numpy, h5py, pandas, xarray" 2>/dev/null; then
    PYTHONPATH="$share/python" "$python" -c "import ttcgames, sys; sys.exit(ttcgames.__version__ != '$version')" ||
        fail "ttcgames (version $version) does not import from $share/python"
    "$python" "$share/scripts/plot_results.py" --help >/dev/null || fail "$share/scripts/plot_results.py --help"
    "$python" "$share/scripts/plot_results.py" "$share/inputs/paper/prices.csv" -o "$prefix/figures" \
        2>"$prefix/plot.err" && fail "plot_results.py accepted a CSV file"
    grep -q "cannot open as HDF5" "$prefix/plot.err" || fail "plot_results.py: $(cat "$prefix/plot.err")"
else
    echo "note: numpy/h5py/pandas/xarray missing: the installed Python package was not imported"
    [[ -f $share/python/ttcgames/__init__.py ]] || fail "$share/python/ttcgames missing"
fi

# Documentation and inputs.
for f in share/doc/ttcgames/README.md share/doc/ttcgames/model.md share/doc/ttcgames/cli.md \
    share/doc/ttcgames/python.md share/ttcgames/inputs/paper/gsm8k-majority.toml; do
    [[ -f $prefix/$f ]] || fail "$prefix/$f missing"
done
"$bin" auction "$share/inputs/paper/gsm8k-majority.toml" >/dev/null ||
    fail "the installed program cannot run an installed scenario"

if ((failures)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "OK: installed into $prefix"

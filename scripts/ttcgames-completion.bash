# bash completion for ttcgames; `cmake --install` puts it in share/bash-completion/completions/ttcgames, where
# bash-completion loads it on first use (or: source scripts/ttcgames-completion.bash).
#
# Subcommands, options, whether an option takes a value and its valid choices are read from `ttcgames --help` and
# `ttcgames <subcommand> --help` (CLI11's layout: "  -o,--output TEXT", "  --backend TEXT:{auto,cpu,cuda}"), once per
# shell and program, so the completion follows the program it completes. Positional arguments complete to scenario
# files (*.toml) for run, market, auction, ensemble and population, to result files (*.h5) for summary, and to any
# file for runlog-info and curves.

# The help text of the program $1 for subcommand $2 (empty: the top level), cached.
_ttcgames_help() {
    local key
    key="_ttcgames_help_$(printf '%s_%s' "$1" "$2" | tr -c 'a-zA-Z0-9' '_')"
    if [[ -z ${!key+set} ]]; then
        printf -v "$key" '%s' "$("$1" ${2:+"$2"} --help 2>/dev/null)"
    fi
    printf '%s\n' "${!key}"
}

# The subcommands listed by `ttcgames --help`.
_ttcgames_subcommands() {
    local line in_list=0
    while IFS= read -r line; do
        if [[ $line == Subcommands:* ]]; then
            in_list=1
        elif ((in_list)) && [[ $line =~ ^\ \ ([a-z][a-z0-9-]*)(\ |$) ]]; then
            printf '%s\n' "${BASH_REMATCH[1]}"
        fi
    done < <(_ttcgames_help "$1" "")
}

# One line per option of subcommand $2: "names|takes-value|choices" (names comma-separated; choices space-separated).
_ttcgames_options() {
    local line names type choices
    local pattern='^  (-[A-Za-z0-9],)?(--[A-Za-z0-9][A-Za-z0-9-]*)( ([A-Z]+)(:[^ ]*)?)?'
    while IFS= read -r line; do
        [[ $line =~ $pattern ]] || continue
        names="${BASH_REMATCH[1]}${BASH_REMATCH[2]}"
        type="${BASH_REMATCH[4]}"
        choices=""
        if [[ ${BASH_REMATCH[5]} =~ ^:\{([^}]*)\} ]]; then
            choices="${BASH_REMATCH[1]//,/ }"
        elif [[ ${BASH_REMATCH[5]} == :FILE* ]]; then
            choices=":file"
        fi
        printf '%s|%s|%s\n' "${names%,}" "${type:+1}" "$choices"
    done < <(_ttcgames_help "$1" "$2")
}

# Files for a positional argument of subcommand $1 (directories always, to descend).
_ttcgames_files() {
    local pattern
    case $1 in
        run | market | auction | ensemble | population) pattern='*.toml' ;;
        summary) pattern='*.h5' ;;
        *) pattern='*' ;;
    esac
    compopt -o filenames 2>/dev/null
    local IFS=$'\n'
    if [[ $pattern == '*' ]]; then
        COMPREPLY+=($(compgen -f -- "$cur"))
    else
        COMPREPLY+=($(compgen -d -- "$cur"))
        COMPREPLY+=($(compgen -f -X "!$pattern" -- "$cur"))
    fi
}

_ttcgames() {
    local program="${COMP_WORDS[0]}" cur="${COMP_WORDS[COMP_CWORD]}" prev="" sub="" word i
    ((COMP_CWORD > 0)) && prev="${COMP_WORDS[COMP_CWORD - 1]}"
    COMPREPLY=()
    local subcommands
    subcommands=" $(_ttcgames_subcommands "$program" | tr '\n' ' ') "
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${COMP_WORDS[i]}"
        if [[ $subcommands == *" $word "* ]]; then
            sub="$word"
            break
        fi
    done
    if [[ -z $sub ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--help --version" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$subcommands" -- "$cur"))
        fi
        return 0
    fi

    local spec names takes choices all_options=""
    while IFS='|' read -r names takes choices; do
        all_options+=" ${names//,/ }"
        if [[ $prev != -* || ",$names," != *",$prev,"* || -z $takes ]]; then
            continue
        fi
        # The word being completed is the value of option $prev.
        if [[ $choices == ":file" || $prev == -o || $prev == --output || $prev == --csv || $prev == --mapping ]]; then
            compopt -o filenames 2>/dev/null
            local IFS=$'\n'
            COMPREPLY=($(compgen -f -- "$cur"))
        elif [[ -n $choices ]]; then
            COMPREPLY=($(compgen -W "$choices" -- "$cur"))
        fi
        return 0
    done < <(_ttcgames_options "$program" "$sub")

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$all_options" -- "$cur"))
    else
        _ttcgames_files "$sub"
    fi
    return 0
}

complete -F _ttcgames ttcgames

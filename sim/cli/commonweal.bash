# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
# bash completion for commonweal (installed as
# share/bash-completion/completions/commonweal)
_commonweal() {
    local cur prev cmd
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    cmd="${COMP_WORDS[1]}"
    local commands="run check params metrics info export sweep compare resume help"
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi
    case "$prev" in
        -o|--output|--checkpoint) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --set)
            local paths
            paths=$(commonweal params --json 2>/dev/null | grep -o '"path": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1=/')
            compopt -o nospace 2>/dev/null
            COMPREPLY=($(compgen -W "$paths" -- "$cur")); return ;;
        --metric)
            COMPREPLY=($(compgen -W "$(commonweal metrics 2>/dev/null | awk 'NR>1 {print $1}')" -- "$cur")); return ;;
        --by) COMPREPLY=($(compgen -W "none quintile identity decile age_band fifth" -- "$cur")); return ;;
    esac
    local opts=""
    case "$cmd" in
        run) opts="--output --seed --threads --set --force --quiet --timings --checkpoint-every --checkpoint --help" ;;
        check) opts="--set --help" ;;
        params|metrics) opts="--json --help" ;;
        info) opts="--json --help" ;;
        export) opts="--csv --output --help" ;;
        sweep) opts="--output --jobs --threads --set --resume --force --quiet --dry-run --help" ;;
        compare) opts="--metric --by --weeks --baseline --csv --json --force --help" ;;
        resume) opts="--threads --quiet --timings --help" ;;
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        case "$cmd" in
            run|check|sweep) COMPREPLY=($(compgen -f -X '!*.y*ml' -- "$cur") $(compgen -d -- "$cur")) ;;
            info|export|compare) COMPREPLY=($(compgen -f -X '!*.h5*' -- "$cur") $(compgen -d -- "$cur")) ;;
            *) COMPREPLY=($(compgen -f -- "$cur")) ;;
        esac
    fi
}
complete -F _commonweal commonweal

# bash completion for redflag(1): subcommands, their options, and the values
# of the options that take a fixed set (formats, levels, kinds) or a feed name.
# Every subcommand and long option of `redflag CMD --help` is offered here
# (tests/cli/t_man.sh checks it). Source it, or install it as
# /usr/share/bash-completion/completions/redflag.

# _redflag_feeds: the feed names of the feed list in use ([NAME] sections).
_redflag_feeds()
{
    local conf f
    for f in "${REDFLAG_FEEDS:-}" feeds/feeds.conf /usr/local/share/redflag/feeds/feeds.conf \
             /usr/share/redflag/feeds/feeds.conf; do
        if [ -n "$f" ] && [ -r "$f" ]; then conf=$f; break; fi
    done
    [ -n "${conf:-}" ] && sed -n 's/^\[\([A-Za-z0-9_.-]*\)\][[:space:]]*$/\1/p' "$conf"
}

# _redflag: the completion function for redflag.
_redflag()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local cmd=${COMP_WORDS[1]:-} opts="" screen_opts
    COMPREPLY=()

    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "screen audit rules compare fetch feeds lookup serve cache help
                                 --help --version" -- "$cur"))
        return 0
    fi

    # Values of the options that take one.
    case $prev in
        -o|--output)
            case $cmd in
                screen) COMPREPLY=($(compgen -W "jsonl csv table html xlsx" -- "$cur")) ;;
                *) COMPREPLY=($(compgen -W "table jsonl" -- "$cur")) ;;
            esac
            return 0 ;;
        -f|--from) COMPREPLY=($(compgen -W "auto jsonl csv xlsx ubl ocds eforms" -- "$cur")); return 0 ;;
        --delimiter) COMPREPLY=($(compgen -W "comma semicolon tab pipe" -- "$cur")); return 0 ;;
        --encoding) COMPREPLY=($(compgen -W "auto utf-8 utf-16 windows-1252 latin1" -- "$cur")); return 0 ;;
        --fail-on) COMPREPLY=($(compgen -W "low medium high critical none" -- "$cur")); return 0 ;;
        -k|--kind) COMPREPLY=($(compgen -W "company person" -- "$cur")); return 0 ;;
        --rules|--data) COMPREPLY=($(compgen -d -- "$cur")); return 0 ;;
        --conf|--report|--ca-file|--api-key-file) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
        --feed) COMPREPLY=($(compgen -W "$(_redflag_feeds)" -- "$cur")); return 0 ;;
        --map|--sheet|--cache-ttl|--timeout|--deadline|--country|-n|--limit|--min|--min-examples|--listen|--threads|--max-body) return 0 ;;
    esac

    screen_opts="-o --output -f --from --fail-on --map --delimiter --encoding --sheet --rules
                 --data --insecure-data --conf --no-lists --no-cache --cache-ttl --no-color --no-prefilter --explain --help"
    case $cmd in
        screen) opts=$screen_opts ;;
        audit) opts="${screen_opts/-o --output /} --report" ;;
        rules)
            if [ "$COMP_CWORD" -eq 2 ]; then
                COMPREPLY=($(compgen -W "check list test trace --help" -- "$cur"))
                return 0
            fi
            opts="--rules --min-examples --help" ;;
        compare) opts="-k --kind -o --output --explain --help" ;;
        fetch) opts="--offline --feed --data --insecure-data --conf --timeout --deadline --ca-file --help" ;;
        feeds) opts="--data --conf -o --output --help" ;;
        lookup) opts="--country --kind -n --limit --min -o --output --data --insecure-data --conf --help" ;;
        serve) opts="--listen --threads --max-body --timeout --api-key-file --rules --data --conf --help" ;;
        cache)
            if [ "$COMP_CWORD" -eq 2 ]; then
                COMPREPLY=($(compgen -W "stats clear --help" -- "$cur"))
                return 0
            fi
            opts="--data --insecure-data --rules --conf --help" ;;
        *) return 0 ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    elif [ "$cmd" = screen ] || [ "$cmd" = audit ]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
    return 0
}

complete -o filenames -F _redflag redflag

# bash completion for xsm(1).
#
# Commands, subcommands and options come from xsm itself ('xsm help' and
# each command's -h, which equals its man page's SYNOPSIS), so they never
# go stale.  Connector names, snapshot ids, tags, rule and node names are
# asked of the store with --format=json; node names are looked up by
# prefix with a --limit, so a store of a million nodes stays responsive.
#
# Installed by 'make install' into PREFIX/share/bash-completion/completions;
# from a source tree: . config/completion/xsm.bash

# __xsm_run ARGS...: the xsm being completed, with the global options typed so far
__xsm_run()
{
	command "$__xsm_bin" "${__xsm_globals[@]}" "$@" 2>/dev/null
}

# __xsm_field KEY: the string values of "KEY" in the JSON on stdin, one a line
__xsm_field()
{
	grep -o "\"$1\":\"\([^\"\\\\]\|\\\\.\)*\"" | sed "s/^\"$1\":\"//; s/\"\$//; s/\\\\\"/\"/g; s/\\\\\\\\/\\\\/g"
}

__xsm_commands() { __xsm_run help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'; }
# 'connect list' would create a missing store: ask only an existing one
__xsm_have_store()
{
	local dir
	dir=$(__xsm_run --format=jsonl config show | grep '"key":"store.path"' | __xsm_field value)
	[[ -f $dir/format ]]
}
__xsm_connectors() { __xsm_have_store && __xsm_run connect list --format=json | __xsm_field name; }
__xsm_snapshots() { __xsm_run graph log --format=json | __xsm_field snapshot | sort -u; }
__xsm_tags() { __xsm_run graph tag --format=json | __xsm_field tag; }
__xsm_rules() { __xsm_run critical rule list --format=jsonl | __xsm_field name; }
__xsm_initiatives() { __xsm_run insights list --format=jsonl | grep -o '^{"id":"[^"]*"' | sed 's/.*:"//; s/"$//'; }
__xsm_metrics() { __xsm_run insights metrics --format=jsonl | grep -o '^{"id":"[^"]*"' | sed 's/.*:"//; s/"$//'; }
# the roles of the table in force, and the names that hold grants
__xsm_roles() { __xsm_run access list --roles --format=json | grep -o '"roles":\[[^]]*\]' | grep -o '"[a-z][a-z-]*"' | grep -v '"roles"' | tr -d '"' | sort -u; }
__xsm_grantees() { __xsm_run access list --format=jsonl | __xsm_field who | sort -u; }
__xsm_types() { __xsm_have_store && __xsm_run connect list --format=json | __xsm_field type; }

# __xsm_nodes PREFIX: node names starting with PREFIX, at most 100
__xsm_nodes()
{
	local p=${1//\\/\\\\}
	p=${p//\"/\\\"}
	if [[ -n $1 ]]; then
		__xsm_run graph nodes --format=jsonl --limit 100 --where "name startswith \"$p\"" | __xsm_field NodeName
	else
		__xsm_run graph nodes --format=jsonl --limit 100 | __xsm_field NodeName
	fi
}

# __xsm_usage CMD: its usage forms, one a line, "usage: " and "   or: " removed
__xsm_usage() { __xsm_run "$1" -h | sed 's/^usage: //; s/^   or: //'; }

# __xsm_offer LINES: offer each line that starts with cur, quoted for the shell
# (not from a pipe: a pipeline's last command runs in a subshell)
__xsm_offer()
{
	local IFS=$'\n' w
	for w in $1; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$w")")
	done
}

_xsm()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local __xsm_bin=${COMP_WORDS[0]} i cmd= cmdi=0 sub= w
	local -a __xsm_globals=()
	COMPREPLY=()

	# the global options before the command; --store and --config are passed on
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--store | --config | -c | --format)
			[[ $w == --store || $w == --config ]] && __xsm_globals+=("$w" "${COMP_WORDS[i+1]}")
			((i++)) ;;
		--store=* | --config=*) __xsm_globals+=("$w") ;;
		-*) ;;
		*) cmd=$w; cmdi=$i; break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		case $prev in
		--store) COMPREPLY=($(compgen -d -- "$cur")); return ;;
		--config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--format) COMPREPLY=($(compgen -W "table json jsonl" -- "$cur")); return ;;
		-c)
			COMPREPLY=($(compgen -S = -W "$(__xsm_run --format=jsonl config show | __xsm_field key)" -- "$cur"))
			compopt -o nospace 2>/dev/null
			return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--store --config -c --format= -q -v --version -h --help" -- "$cur"))
			[[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
		else
			COMPREPLY=($(compgen -W "$(__xsm_commands)" -- "$cur"))
		fi
		return
	fi

	# the words after the command that are not options or their values; an
	# option takes a value when a usage form shows one after it (--label L)
	local usage forms valued
	usage=$(__xsm_usage "$cmd")
	forms=$(printf '%s\n' "$usage" | awk '$3 ~ /^[a-z][a-z|-]*$/ { n = split($3, s, "|"); for (k = 1; k <= n; k++) print s[k] }' | sort -u)
	valued=" --format $(printf '%s\n' "$usage" | grep -o -- '--[a-zA-Z-]* [A-Z]' | sed 's/ .*//' | tr '\n' ' ')"
	local -a words=() pos=()
	for ((i = cmdi + 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--*=*) ;;
		--*-env | --*-file) ((i++)) ;;
		-*) [[ $valued == *" $w "* ]] && ((i++)) ;;
		*) words+=("$w") ;;
		esac
	done
	local start=0
	if ((${#words[@]})) && printf '%s\n' "$forms" | grep -qx -- "${words[0]}"; then
		sub=${words[0]}
		start=1
		# critical rule add|edit|...: the subcommand is two words
		if [[ $sub == rule ]] && ((${#words[@]} > 1)); then
			sub="rule ${words[1]}"
			start=2
		fi
	fi
	pos=("${words[@]:start}")

	# option values
	case $prev in
	--format)
		local f="table json jsonl"
		[[ $cmd == graph && $sub == export ]] && f="json jsonl dot graphml neo4j"
		[[ $cmd == paths ]] && f="table json jsonl dot svg"
		[[ $cmd == insights && $sub == export ]] && f="pdf json csv"
		[[ $cmd == report ]] && f="html"
		[[ $cmd == ingest ]] && f="records nessus qualys-xml rapid7-csv tenable-csv table json jsonl"
		COMPREPLY=($(compgen -W "$f" -- "$cur")); return ;;
	--level)
		COMPREPLY=($(compgen -W "0 1 2 3 very-high high medium low" -- "$cur")); return ;;
	--asset) COMPREPLY=($(compgen -W "device identity cloud" -- "$cur")); return ;;
	--min-risk | --fail-on) COMPREPLY=($(compgen -W "critical high medium low" -- "$cur")); return ;;
	--target | --entry | --remove | --remove-edge | --isolate | --on | --set-critical)
		__xsm_offer "$(__xsm_nodes "$cur")"; return ;;
	--fix)
		__xsm_offer "$(__xsm_run graph nodes --format=jsonl --label Cve --limit 100 --where "name startswith \"$cur\"" | __xsm_field NodeName)"
		return ;;
	--baseline) __xsm_offer "$(__xsm_tags; __xsm_snapshots)"; return ;;
	--initiative) __xsm_offer "$(__xsm_initiatives)"; return ;;
	--state) COMPREPLY=($(compgen -W "active risk-accepted mitigated" -- "$cur")); return ;;
	--weight) COMPREPLY=($(compgen -W "high medium low default" -- "$cur")); return ;;
	--source) __xsm_offer "$(__xsm_connectors)"; return ;;
	-o | --cacert | --*-file | --socket) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--user | -u) COMPREPLY=($(compgen -u -- "$cur")); return ;;
	--scope | --action) return ;;
	--label | --where | --when | --description | --limit | --since | --type | --scenario | --max-hops | \
		--url | --username | --set | --*-env | --top-fixes | --max-results)
		return ;;
	esac

	# options: those the usage forms of this subcommand (or command) name
	if [[ $cur == -* ]]; then
		local opts
		opts=$(printf '%s\n' "$usage" | awk -v sub_="$sub" '
			{ s = $3; if (s == "rule") s = "rule " $4 }
			{ n = split(s, alt, "|"); hit = (sub_ == "" || s == sub_); for (k = 1; k <= n; k++) if (alt[k] == sub_ || "rule " alt[k] == sub_) hit = 1 }
			hit' |
			grep -o -- '--[a-zA-Z][a-zA-Z-]*\|-[a-z]\b' | grep -vx -- --format | sort -u)
		COMPREPLY=($(compgen -W "$opts --format= --help" -- "$cur"))
		[[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
		return
	fi

	# the subcommand itself (critical rule: its second word)
	if [[ $sub == rule ]]; then
		COMPREPLY=($(compgen -W "$(printf '%s\n' "$usage" | awk '$3 == "rule" { n = split($4, s, "|"); for (k = 1; k <= n; k++) print s[k] }' | sort -u)" -- "$cur"))
		return
	fi
	if [[ -z $sub && -n $forms ]] && ((${#pos[@]} == 0)); then
		COMPREPLY=($(compgen -W "$forms" -- "$cur"))
		return
	fi

	# positionals
	local n=${#pos[@]}
	case "$cmd $sub" in
	"help ") COMPREPLY=($(compgen -W "$(__xsm_commands)" -- "$cur")) ;;
	"connect show" | "connect test" | "connect remove") ((n == 0)) && __xsm_offer "$(__xsm_connectors)" ;;
	"connect add") ((n == 0)) && __xsm_offer "$(__xsm_types)" ;;
	"ingest "*)
		if [[ " ${COMP_WORDS[*]} " == *" --format records "* || " ${COMP_WORDS[*]} " == *" --format=records "* ]]; then
			COMPREPLY=($(compgen -f -- "$cur"))
		else
			__xsm_offer "$(__xsm_connectors)"
		fi ;;
	"graph show") ((n == 0)) && __xsm_offer "$(__xsm_nodes "$cur")" ;;
	"graph diff") ((n < 2)) && __xsm_offer "$(__xsm_tags; __xsm_snapshots)" ;;
	"graph tag")
		if [[ " ${COMP_WORDS[*]} " == *" --delete "* ]] || ((n == 0)); then
			((n == 0)) && __xsm_offer "$(__xsm_tags)"
		elif ((n == 1)); then
			__xsm_offer "$(__xsm_snapshots)"
		fi ;;
	"paths blast-radius") ((n == 0)) && __xsm_offer "$(__xsm_nodes "$cur")" ;;
	"critical set" | "critical unset")
		((n == 0)) && __xsm_offer "$(__xsm_nodes "$cur")"
		[[ $sub == set ]] && ((n == 1)) && COMPREPLY=($(compgen -W "0 1 2 3 very-high high medium low" -- "$cur")) ;;
	"critical rule edit" | "critical rule remove" | "critical rule enable" | "critical rule disable" | "critical rule level")
		((n == 0)) && __xsm_offer "$(__xsm_rules)"
		[[ $sub == "rule level" ]] && ((n == 1)) && COMPREPLY=($(compgen -W "0 1 2 3 very-high high medium low" -- "$cur")) ;;
	"insights show" | "insights target" | "insights set-target") ((n == 0)) && __xsm_offer "$(__xsm_initiatives)" ;;
	"insights metric" | "insights set" | "insights weight") ((n == 0)) && __xsm_offer "$(__xsm_metrics)" ;;
	"insights export") ((n == 0)) && __xsm_offer "$(__xsm_initiatives; __xsm_metrics)" ;;
	"init ") COMPREPLY=($(compgen -d -- "$cur")) ;;
	"access grant")
		if ((n == 0)); then
			COMPREPLY=($(compgen -u -- "$cur"))
			[[ $cur == @* ]] && COMPREPLY=($(compgen -P @ -g -- "${cur#@}"))
		elif ((n == 1)); then
			__xsm_offer "$(__xsm_roles)"
		fi ;;
	"access revoke")
		((n == 0)) && __xsm_offer "$(__xsm_grantees)"
		((n == 1)) && __xsm_offer "$(__xsm_roles)" ;;
	esac
	return 0
}

complete -F _xsm xsm

#!/bin/sh
# demo.sh - the main job on the bundled example enterprise (Contoso
# Manufacturing, examples/enterprise/): ingest its seven sources, build the
# exposure graph, then show the critical assets, the attack paths and their
# choke points, and draw a map of the top paths.  A second run a week later
# shows what changed.
# Usage: sh examples/demo.sh PATH-TO-XSM [OUTPUT-DIR]
# The store is OUTPUT-DIR/store (make demo: build/demo/store), whatever
# XSM_STORE says: the demo never writes to the user's own store.
set -eu
XSM=${1:-xsm}
here=$(cd "$(dirname "$0")" && pwd)
out=${2:-${TMPDIR:-/tmp}/xsm-demo}
export XSM_STORE="$out/store"
rm -rf "$XSM_STORE" && mkdir -p "$out"
x() { printf '\n$ xsm %s\n' "$*"; "$XSM" "$@"; }

echo "== xsm demo: Contoso Manufacturing (store: $XSM_STORE)"
"$XSM" -q init
for f in "$here"/enterprise/run1/*.jsonl; do
	XSM_NOW=2026-11-23T07:00:00Z "$XSM" -q ingest --no-build --format records --source "$(basename "$f" .jsonl)" "$f"
done
XSM_NOW=2026-11-23T07:00:00Z x graph build
x status
x graph stats
x critical list --level high
x paths summary
x paths list --min-risk critical --limit 5
top=$("$XSM" paths list --min-risk critical --format=jsonl | head -1 | sed 's/.*"PathId":"\([^"]*\)".*/\1/')
x paths show "$top"

"$XSM" paths list --min-risk critical --format=dot >"$out/attack-paths.dot"
if command -v dot >/dev/null 2>&1; then
	"$XSM" paths list --min-risk critical --format=svg >"$out/attack-paths.svg"
	echo
	echo "map of the critical attack paths: $out/attack-paths.svg"
else
	echo
	echo "map of the critical attack paths (Graphviz DOT): $out/attack-paths.dot"
	echo "install graphviz (apt-get install graphviz) to render it as SVG"
fi

echo
echo "== a week later: a kiosk with a PHP RCE appears, web01 is patched, fs02 is gone, u017 joined Domain Admins"
for f in "$here"/enterprise/run2/*.jsonl; do
	XSM_NOW=2026-11-30T07:00:00Z "$XSM" -q ingest --no-build --format records --source "$(basename "$f" .jsonl)" "$f"
done
XSM_NOW=2026-11-30T07:00:00Z x graph build
x graph diff
set +e
x paths check --fail-on critical --fail-on-new
echo "(exit $? : the CI gate fails on the new critical paths)"
set -e
x paths summary
x insights
x events --limit 15
XSM_NOW=2026-11-30T07:00:00Z "$XSM" report -o "$out/report.html"
XSM_NOW=2026-11-30T07:00:00Z "$XSM" insights export -o "$out/insights.pdf"

echo
echo "== a report to open in a browser, offline: $out/report.html"
echo "== the initiatives as PDF: $out/insights.pdf"
echo
echo "== the demo's store is $XSM_STORE; to explore it (README, \"Using it\"):"
echo "export XSM_STORE=\"$XSM_STORE\""

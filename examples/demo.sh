#!/bin/sh
# demo.sh - run the main job on the bundled example enterprise: ingest the
# sources of run 1 into a fresh store and show what xsm finds.
# Usage: sh examples/demo.sh PATH-TO-XSM
set -eu
XSM=${1:-xsm}
here=$(cd "$(dirname "$0")" && pwd)
data="$here/enterprise/run1"
export XSM_STORE="${XSM_DEMO_STORE:-${TMPDIR:-/tmp}/xsm-demo-store}"
rm -rf "$XSM_STORE"

echo "== store: $XSM_STORE"
"$XSM" init
if [ ! -d "$data" ]; then
	echo "xsm demo: the example enterprise is missing ($data)" >&2
	exit 66
fi
for f in "$data"/*.jsonl; do
	src=$(basename "$f" .jsonl)
	echo "== ingest $src"
	"$XSM" ingest --format records --source "$src" "$f"
done
echo
echo "== status"
"$XSM" status

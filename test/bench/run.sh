#!/bin/sh
# run.sh SCALE BUILD - the pipeline benchmark behind `make bench`.
#
# Generates the synthetic enterprise (test/bench/gen.c) at SCALE (small:
# 10,000 assets; 1m: 1,000,000), or the long-lived Active Directory of
# `xsm-gen --shape ad` (ad: 1,000,000 users and 50,000 groups; ad-100k:
# 100,000 users and 5,000 groups), or the attack-path breadth shape of
# `xsm-gen --shape paths` (paths: 1,000,000 identities, 10,000,000 walkable
# edges, 10,000 targets, 10,000 entry points; paths-1k: the same with 1,000
# targets; paths-100k: 100,000 identities, 1,000,000 edges, 1,000 targets), then runs each stage of the pipeline on it
# and reports wall time, CPU time, peak RSS and throughput per stage, as a
# table and as one JSON line per stage in $BENCH_OUT (default
# build/bench-SCALE.jsonl) so runs can be compared.  Stages whose command
# does not exist yet in this build are reported as skipped.
set -eu
scale=${1:-small}
build=${2:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
users= pshape=
case "$scale" in
small) assets=10000 ;;
1m) assets=1000000 ;;
ad) users=1000000 groups=50000 ;;
ad-100k) users=100000 groups=5000 ;;
paths) pshape="--identities 1000000 --targets 10000 --entries 10000" ;;
paths-1k) pshape="--identities 1000000 --targets 1000 --entries 10000" ;;
paths-100k) pshape="--identities 100000 --targets 1000 --entries 10000" ;;
[0-9]*) assets=$scale ;;
*) echo "bench: SCALE must be small, 1m, ad, ad-100k, paths, paths-1k, paths-100k or a number of assets" >&2; exit 64 ;;
esac
if [ -n "$pshape" ]; then
	assets=$(echo "$pshape" | sed 's/--identities \([0-9]*\).*/\1/')
	shape="--shape paths $pshape"
	what="attack-path breadth: $pshape"
elif [ -n "$users" ]; then
	assets=$((users + groups + users / 10))  # users, groups, one device per 10 users
	shape="--shape ad --users $users --groups $groups"
	what="$users users, $groups groups"
else
	shape="--assets $assets"
	what="$assets assets"
fi
xsm="$build/bin/xsm"
work="${BENCH_DIR:-$build/bench-$scale}"
out="${BENCH_OUT:-$build/bench-$scale.jsonl}"
export XSM_STORE="$work/store" XSM_NOW="${XSM_NOW:-2026-11-24T12:00:00Z}" XSM_DATA_DIR="$top/config"
export LD_LIBRARY_PATH="$build/lib"
m() { python3 "$top/test/bench/measure.py" "$@"; }

rm -rf "$work" && mkdir -p "$work/data"
: >"$out"
echo "bench: scale $scale ($what) in $work" >&2

# shellcheck disable=SC2086 # $shape is several arguments
m generate "$assets" -- "$build/bin/xsm-gen" --seed 1 $shape --out "$work/data" >>"$out"
lines=$(cat "$work"/data/*.jsonl | wc -l)

# record ingest: parse + validate + store, every source, no graph build
"$xsm" init >/dev/null
cat >"$work/ingest.sh" <<SH
set -e
for f in "$work"/data/*.jsonl; do
	"$xsm" -q ingest --no-build --format records --source "\$(basename "\$f" .jsonl)" "\$f" 2>/dev/null ||
	"$xsm" -q ingest --format records --source "\$(basename "\$f" .jsonl)" "\$f"
done
SH
m ingest "$lines" -- sh "$work/ingest.sh" >>"$out"

stage() { # stage NAME ITEMS ARGS...: run xsm ARGS if the command exists in this build
	name=$1 items=$2
	shift 2
	if "$xsm" "$1" -h >/dev/null 2>&1; then
		m "$name" "$items" -- "$xsm" "$@" >>"$out" || true  # paths check exits 1 when it finds paths
	else
		echo "{\"stage\": \"$name\", \"skipped\": \"xsm $1 not in this build\"}" >>"$out"
	fi
}
stage build "$lines" graph build
# the in-memory stages on the built snapshot, timed inside one process
"$build/bench/bench_stages" "$XSM_STORE" >>"$out"
stage check 0 paths check --fail-on critical
stage export "$assets" graph export --format=jsonl
stage metrics "$assets" insights metrics --format=json
# reads of the current snapshot (through the graph image), then a manual
# change (a re-evaluation: the image's top layer) and the diff it makes
node=$("$xsm" --format=jsonl critical list --level 0 | sed -n 's/.*"NodeId":"\([^"]*\)".*/\1/p' | sed -n 1p)
stage summary 0 paths summary
stage show 0 graph show "$node"
stage critset "$assets" critical set "$node" 1
stage diff "$assets" graph diff

python3 - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("%-10s %9s %9s %10s %14s  %s" % ("STAGE", "WALL s", "CPU s", "RSS MB", "ITEMS/s", "NOTE"))
for r in rows:
    if "skipped" in r:
        print("%-10s %9s %9s %10s %14s  %s" % (r["stage"], "-", "-", "-", "-", r["skipped"]))
        continue
    note = "" if r.get("exit", 0) in (0, 1) else "exit %d" % r["exit"]
    print("%-10s %9.2f %9.2f %10.1f %14s  %s" % (r["stage"], r["wall_s"], r["cpu_s"], r["peak_rss_mb"],
          r["items_per_s"] if r["items_per_s"] else "-", note))
print("machine: %s; JSON lines in %s" % (rows[0]["machine"] if rows else "?", sys.argv[1]))
PY

#!/bin/sh
# live-demo.sh - the real connector flow without a vendor account: start the
# loopback emulators of ServiceNow, Qualys, Rapid7 and Tenable
# (test/emu/), connect xsm to them, sync, and look at the merged graph;
# then change a few hosts on the vendors' side and sync again
# (incrementally), and read the events.
# Usage: sh examples/live-demo.sh PATH-TO-XSM [OUTPUT-DIR] [HOSTS]
set -eu
XSM=${1:-xsm}
here=$(cd "$(dirname "$0")" && pwd)
emu="$here/../test/emu/emu.py"
out=${2:-${TMPDIR:-/tmp}/xsm-live-demo}
hosts=${3:-200}
export XSM_STORE="$out/store"
rm -rf "$out" && mkdir -p "$out"
x() { printf '\n$ xsm %s\n' "$*"; "$XSM" "$@"; }

pids=
trap 'for p in $pids; do kill "$p" 2>/dev/null; done' EXIT INT TERM
for v in servicenow qualys rapid7 tenable; do
	python3 "$emu" "$v" --seed 42 --hosts "$hosts" --findings-per-host 6 --page-size 50 \
		--port-file "$out/$v.port" >"$out/$v.log" 2>&1 &
	pids="$pids $!"
done
for v in servicenow qualys rapid7 tenable; do
	i=0
	while [ ! -s "$out/$v.port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s "$out/$v.port" ] || { echo "live-demo: the $v emulator did not start (see $out/$v.log)" >&2; exit 1; }
done
url() { echo "http://127.0.0.1:$(cat "$out/$1.port")"; }

echo "== xsm live demo: four vendor emulators on 127.0.0.1 (store: $XSM_STORE)"
# the emulators' credentials, given by reference as a real deployment would
export SN_PASSWORD=emu-sn-pass QUALYS_PASSWORD=emu-q-pass R7_API_KEY=emu-r7-key
export TVM_ACCESS=emu-t-access TVM_SECRET=emu-t-secret
"$XSM" -q init
x connect add servicenow cmdb --url "$(url servicenow)" --username xsm --password-env SN_PASSWORD --set lookback_days=0
x connect add qualys qualys --url "$(url qualys)" --username xsm --password-env QUALYS_PASSWORD
x connect add rapid7 rapid7 --url "$(url rapid7)" --api-key-env R7_API_KEY
x connect add tenable tenable --url "$(url tenable)" --access-key-env TVM_ACCESS --secret-key-env TVM_SECRET \
	--set poll_interval_ms=100
for c in cmdb qualys rapid7 tenable; do x connect test "$c"; done
x ingest --all
x connect list
x graph stats
x critical list --level high
x paths summary
x insights

echo
echo "== a day later: three CIs change in the CMDB, then an incremental sync"
python3 -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], method="POST"))' \
	"$(url servicenow)/_emu/touch?n=3"
x ingest cmdb
x events --limit 10

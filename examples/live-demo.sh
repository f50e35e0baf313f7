#!/bin/sh
# live-demo.sh - the real connector flow without a vendor account: start the
# loopback emulators of ServiceNow, Qualys, Rapid7, Tenable, the three
# Microsoft sources, Defender for Endpoint, Entra ID (Graph) and Azure
# (Resource Graph), and the cloud security tools Wiz and Prisma Cloud
# (test/emu/), connect xsm to them, sync, and look at the merged graph, an
# attack path from a user with leaked credentials through nested groups to
# a critical key vault, and the cloud path: an internet-facing VM with an
# exploitable CVE (Wiz) holding a managed identity with a role on that key
# vault (Prisma Cloud IAM), every hop from a connector; then change a few
# hosts on the vendors' side and sync again (incrementally), and read the
# events.
# Usage: sh examples/live-demo.sh PATH-TO-XSM [OUTPUT-DIR] [HOSTS]
set -eu
XSM=${1:-xsm}
here=$(cd "$(dirname "$0")" && pwd)
emu="$here/../test/emu/emu.py"
msemu="$here/../test/emu/msemu.py"
cloudemu="$here/../test/emu/cloudemu.py"
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
for v in defender entra azure; do
	python3 "$msemu" "$v" --seed 42 --hosts "$hosts" --findings-per-host 6 --page-size 50 \
		--port-file "$out/$v.port" >"$out/$v.log" 2>&1 &
	pids="$pids $!"
done
for v in wiz prisma; do
	python3 "$cloudemu" "$v" --seed 42 --hosts "$hosts" --findings-per-host 6 --page-size 50 \
		--port-file "$out/$v.port" >"$out/$v.log" 2>&1 &
	pids="$pids $!"
done
for v in servicenow qualys rapid7 tenable defender entra azure wiz prisma; do
	i=0
	while [ ! -s "$out/$v.port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s "$out/$v.port" ] || { echo "live-demo: the $v emulator did not start (see $out/$v.log)" >&2; exit 1; }
done
url() { echo "http://127.0.0.1:$(cat "$out/$1.port")"; }

echo "== xsm live demo: nine vendor emulators on 127.0.0.1 (store: $XSM_STORE)"
# the emulators' credentials, given by reference as a real deployment would
export SN_PASSWORD=emu-sn-pass QUALYS_PASSWORD=emu-q-pass R7_API_KEY=emu-r7-key
export TVM_ACCESS=emu-t-access TVM_SECRET=emu-t-secret MS_CLIENT_SECRET=emu-ms-secret
export WIZ_CLIENT_SECRET=emu-wiz-secret PRISMA_SECRET_KEY=emu-pc-secret
# one application registration in the emulators' tenant; the authority is the emulator too
ms() {
	echo --set tenant=6b3b0e4c-51b2-4c1e-9d4a-7d1f3c2a9e10 --set client_id=0c5a3b1e-2f4d-4e6a-8b7c-9d0e1f2a3b4c \
		--client-secret-env MS_CLIENT_SECRET --set authority="$(url "$1")" --url "$(url "$1")"
}
"$XSM" -q init
x connect add servicenow cmdb --url "$(url servicenow)" --username xsm --password-env SN_PASSWORD --set lookback_days=0
x connect add qualys qualys --url "$(url qualys)" --username xsm --password-env QUALYS_PASSWORD
x connect add rapid7 rapid7 --url "$(url rapid7)" --api-key-env R7_API_KEY
x connect add tenable tenable --url "$(url tenable)" --access-key-env TVM_ACCESS --secret-key-env TVM_SECRET \
	--set poll_interval_ms=100
x connect add defender mde $(ms defender) --set calls_per_minute=0
x connect add entra entra $(ms entra)
x connect add azure azure $(ms azure)
# Wiz: the tenant's API endpoint and its token endpoint (both the emulator here)
x connect add wiz wiz --url "$(url wiz)" --set auth_url="$(url wiz)/oauth/token" --set client_id=emu-wiz-client \
	--client-secret-env WIZ_CLIENT_SECRET
# Prisma Cloud: the stack's API URL, the Compute console's own URL, and IAM permissions
x connect add prismacloud prisma --url "$(url prisma)" --set access_key_id=emu-pc-key-id \
	--secret-key-env PRISMA_SECRET_KEY --set compute_url="$(url prisma)/us-1-111111111" \
	--set "iam_rql=config from iam where dest.cloud.type = 'AZURE'"
for c in cmdb qualys rapid7 tenable mde entra azure wiz prisma; do x connect test "$c"; done
x ingest --all
echo "   (each sync: 'skipped' counts vendor records xsm could not use, such as an asset with no"
echo "    identifier at all; the build's 'unknown references' counts findings and relations that name"
echo "    an asset no source reported, such as a scanner's finding on a host it no longer lists)"
x connect list
x connect show mde
x graph stats
x critical list --level high
x paths summary

echo
echo "== from a user with leaked credentials (Entra ID Protection) to the payments key vault (Azure)"
leaked=$("$XSM" --format=jsonl graph nodes --label user | python3 -c '
import json, sys
for line in sys.stdin:
    n = json.loads(line)
    if n["NodeProperties"]["rawData"].get("hasLeakedCredentials"):
        print(n["NodeId"]); break')
kv=$("$XSM" --format=jsonl graph nodes | python3 -c '
import json, sys
for line in sys.stdin:
    n = json.loads(line)
    if n["NodeName"] == "kv-payments":
        print(n["NodeId"]); break')
path=$("$XSM" --format=jsonl paths list --entry "$leaked" --target "$kv" | python3 -c '
import json, sys
for line in sys.stdin:
    print(json.loads(line)["PathId"]); break')
x paths show "$path"

echo
echo "== the cloud path: an internet-facing VM with an exploitable CVE (Wiz), its managed identity"
echo "   (Azure, Prisma Cloud) and that identity's role on the key vault (Prisma Cloud IAM)"
cloudpath=$("$XSM" --format=jsonl paths list --target "$kv" | python3 -c '
import json, sys
for line in sys.stdin:
    p = json.loads(line)
    if p["entry"]["type"].startswith("internet-facing") and any(s["NodeLabel"] == "managedidentity" for s in p["steps"]):
        print(p["PathId"], p["entry"]["NodeId"]); break')
if [ -n "$cloudpath" ]; then
	x paths show "${cloudpath%% *}"
	echo "   (the entry point is one node: the same VM as Wiz, Prisma Cloud, Azure, Defender, the CMDB and"
	echo "    the scanners each saw it, joined by its ARM id, vmId, host name and address)"
	printf '\n$ xsm --format=json graph show %s  (its sources, and the keys that joined them)\n' "${cloudpath#* }"
	"$XSM" --format=json graph show "${cloudpath#* }" | python3 -c '
import json, sys
raw = json.load(sys.stdin)["node"]["NodeProperties"]["rawData"]
for sid, s in sorted(raw.get("sources", {}).items()):
    keys = [k for k in s.get("keys", []) if not k.startswith(("source_id:", "hostip:"))]
    print("  %-8s %-28s %s" % (s["source"], s["name"][:28], " ".join(k[:60] for k in keys[:3])))'
else
	echo "   (no internet-facing Azure VM among $hosts hosts: try more)"
fi
x insights

echo
echo "== a day later: three CIs change in the CMDB, then an incremental sync"
python3 -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], method="POST"))' \
	"$(url servicenow)/_emu/touch?n=3"
x ingest cmdb
echo "   (an incremental sync fetches only what changed since the last one, merged over the previous run)"
echo
echo "== what changed in the graph: each changed node with its properties' old and new values"
x graph diff
echo
echo "== and the events it raised"
x events --limit 10

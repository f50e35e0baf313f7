#!/bin/sh
test_description='wiz: GraphQL over real HTTP against its emulator (token, cursor paging, errors with 200, rate limits, projects, merging)'
. "$(dirname "$0")/../lib/test-lib.sh"

export XSM_HTTP_BACKOFF_MS=20 WIZ_SECRET=emu-wiz-secret MS_SECRET=emu-ms-secret
EMU="--seed 5 --hosts 40 --findings-per-host 4"
TENANT=6b3b0e4c-51b2-4c1e-9d4a-7d1f3c2a9e10
CLIENT=0c5a3b1e-2f4d-4e6a-8b7c-9d0e1f2a3b4c

python3 -c 'import cryptography' 2>/dev/null || {
	echo "1..0 # skip python3-cryptography is not installed (make deps)"
	exit 0
}

# add_wiz NAME PORT [ARGS]
add_wiz() {
	n=$1 p=$2
	shift 2
	xsm connect add wiz "$n" --url http://127.0.0.1:$p --set auth_url=http://127.0.0.1:$p/oauth/token \
		--set client_id=emu-wiz-client --client-secret-env WIZ_SECRET "$@"
}

start_emulator wiz $EMU --page-size 7 && WZ=$EMU_PORT || {
	echo "1..0 # skip the emulator did not start"
	exit 0
}

# what the emulator serves, from its own code
python3 - "$XSM_TOP" >truth.json <<-\EOF
import json, sys
sys.path.insert(0, sys.argv[1] + "/test/emu")
import enterprise as E, cloudemu as C
ent = E.Enterprise(5, 40, 4)
cl = C.Cloud(ent)
vms = [v for v in cl.vms]
n_find = sum(1 for v in vms for f in cl.vm_findings(v) if f["status"] != "Fixed") + 1 + sum(1 for v in vms if v["public"])
print(json.dumps({"vms": len(vms), "others": len(cl.others), "findings": n_find,
                  "azure": sorted(v["pid"].lower() for v in vms if v["cloud"] == "Azure"),
                  "aws": sorted(v["iid"] for v in vms if v["cloud"] == "AWS"),
                  "public": sorted(v["id"] for v in vms if v["public"]),
                  "payments": sum(1 for v in vms if v["project"] == "payments") + 3}))
EOF

test_expect_success 'connect test: a token, then one small query' '
	add_wiz wz $WZ &&
	xsm connect test wz
'

test_expect_success 'sync: every page of cloudResources and vulnerabilityFindings, one token' '
	xsm --format=json ingest wz --no-build >sum.json &&
	test "$(json_get sum.json "j[\"connectors\"][0][\"status\"]")" = ok &&
	test "$(json_get sum.json "j[\"connectors\"][0][\"assets\"]")" = \
		"$(json_get truth.json "j[\"vms\"] + j[\"others\"] + 1")" &&
	test "$(json_get sum.json "j[\"connectors\"][0][\"findings\"]")" = "$(json_get truth.json "j[\"findings\"]")" &&
	test "$(json_get sum.json "j[\"connectors\"][0][\"skipped\"]")" = 1 &&
	emu_requests $WZ >reqs &&
	# one token for connect test, one for the whole sync
	test "$(grep -c "^POST /oauth/token 200" reqs)" = 2 &&
	test "$(grep -c "^POST /graphql 200" reqs)" -gt 4 &&
	records wz >recs &&
	python3 - recs truth.json <<-\EOF
	import json, sys
	recs = [json.loads(l) for l in open(sys.argv[1])]
	t = json.load(open(sys.argv[2]))
	assets = [r for r in recs if r["type"] == "asset"]
	az = sorted(r["keys"]["cloud_id"] for r in assets if r["label"] == "microsoft.compute/virtualmachines")
	assert az == t["azure"], (az, t["azure"])
	aws = sorted(r["keys"]["cloud_id"] for r in assets if r["label"] == "aws.ec2.instance")
	assert aws == t["aws"], (aws, t["aws"])
	for r in assets:
	    if r["label"] == "aws.ec2.instance":
	        assert r["keys"]["hostname"] and r["keys"]["ipv4"], r
	    if r["label"] == "microsoft.compute/virtualmachines":
	        assert r["keys"]["azure_vm_id"], r
	public = sorted(r["source_id"][3:] for r in assets if r["props"]["exposedToInternet"] and "compute" in r["categories"])
	assert public == t["public"], (public, t["public"])
	assert all(r["props"]["adminPrivileges"] for r in assets if r["source_id"][3:] in t["public"])
	sens = [r for r in assets if r["props"]["containsSensitiveData"]]
	assert len(sens) == 4 and any(r["label"] == "microsoft.keyvault/vaults" for r in sens), sens
	assert any(r["props"]["containerHost"] for r in assets) and any(r["props"]["ephemeral"] for r in assets)
	assert any(r["label"] == "containerimage" for r in assets)
	assert all(r["props"]["projects"] for r in assets)
	kev = [r for r in recs if r["type"] == "finding" and r["props"]["cisaKev"]]
	assert kev and all(r["exploitAvailable"] for r in kev)
	EOF
'

test_expect_success 'an expired token mid-sync: a new one, the sync goes on' '
	start_emulator wiz $EMU --page-size 7 --fault expire@4 && p=$EMU_PORT &&
	add_wiz wz2 $p &&
	xsm ingest wz2 --no-build &&
	emu_requests $p >reqs &&
	test "$(grep -c "^POST /oauth/token 200" reqs)" = 2 &&
	grep -q "^POST /graphql 401 expire" reqs
'

test_expect_success 'a short-lived token is taken again before it expires' '
	start_emulator wiz $EMU --page-size 3 --token-ttl 0.6 --delay-ms 120 && p=$EMU_PORT &&
	add_wiz wz3 $p &&
	xsm ingest wz3 --no-build &&
	emu_requests $p >reqs &&
	test "$(grep -c "^POST /oauth/token 200" reqs)" -gt 2 &&
	test_grep ! "^POST /graphql 401" reqs
'

test_expect_success 'GraphQL errors with HTTP 200 fail the sync (76); the previous run stays' '
	start_emulator wiz $EMU --page-size 7 --fault gqlerror@5 && p=$EMU_PORT &&
	add_wiz wz4 $p &&
	test_expect_code 76 xsm ingest wz4 --no-build 2>err &&
	test_grep "GraphQL error (INTERNAL): Internal server error" err &&
	test ! -d "$XSM_STORE/records/wz4" -o -z "$(ls "$XSM_STORE/records/wz4")"
'

test_expect_success 'rate limits: RATE_LIMIT_EXCEEDED with 200 and HTTP 429 are waited out and retried' '
	start_emulator wiz $EMU --page-size 7 --fault ratelimit@3,429@5 && p=$EMU_PORT &&
	add_wiz wz5 $p &&
	xsm --format=json ingest wz5 --no-build >sum.json &&
	test "$(json_get sum.json "j[\"connectors\"][0][\"findings\"]")" = "$(json_get truth.json "j[\"findings\"]")" &&
	emu_requests $p >reqs &&
	grep -q "^POST /graphql 200 ratelimit" reqs &&
	grep -q "^POST /graphql 429 429" reqs
'

test_expect_success 'a server that ignores the cursor: the walk stops (76) rather than loop' '
	start_emulator wiz $EMU --page-size 3 --fault repeat@3 && p=$EMU_PORT &&
	add_wiz wzr $p &&
	test_expect_code 76 xsm ingest wzr --no-build 2>err &&
	test_grep "cloudResources: .*\(repeats an earlier page\|sends a next page it sent before\)" err
'

test_expect_success 'still rate limited after the retries: 75' '
	start_emulator wiz $EMU --page-size 7 --fault ratelimit@2+ && p=$EMU_PORT &&
	add_wiz wz6 $p --set rate_limit_retries=2 &&
	test_expect_code 75 xsm ingest wz6 --no-build 2>err &&
	test_grep "still rate limited" err
'

test_expect_success 'a wrong secret is refused at the token endpoint: 77' '
	WIZ_SECRET=wrong && export WIZ_SECRET &&
	add_wiz wz7 $WZ &&
	test_expect_code 77 xsm connect test wz7 2>err &&
	test_grep "token: HTTP 401: access_denied" err &&
	WIZ_SECRET=emu-wiz-secret && export WIZ_SECRET
'

test_expect_success 'the project filter: only the resources and findings of the projects named' '
	add_wiz wzp $WZ --set projects=5c2f6b9e-1d7a-4b8e-9f3c-2a6d8e0b1c4f &&
	xsm --format=json ingest wzp --no-build >sum.json &&
	records wzp >recs &&
	test_grep ! "\"Corporate\"" recs &&
	test "$(grep -c "\"type\":\"asset\"" recs)" -ge "$(json_get truth.json "j[\"payments\"]")"
'

test_expect_success 'the same VM from Wiz and Azure (and Defender) is one node; the web VM is an entry point' '
	python3 "$XSM_TOP/test/emu/msemu.py" azure $EMU --port-file az.port >az.out 2>&1 &
	echo $! >>"$TRASH/.emu-pids" &&
	i=0 && while [ ! -s az.port ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done &&
	az=$(cat az.port) &&
	xsm connect add azure arm --url http://127.0.0.1:$az --set authority=http://127.0.0.1:$az \
		--set tenant=$TENANT --set client_id=$CLIENT --set calls_per_minute=0 --client-secret-env MS_SECRET &&
	xsm connect remove wzp && xsm connect remove wz2 && xsm connect remove wz3 && xsm connect remove wz5 &&
	xsm connect remove wz4 && xsm connect remove wz6 && xsm connect remove wz7 && xsm connect remove wzr &&
	xsm ingest arm wz &&
	xsm --format=json graph nodes >nodes.json &&
	python3 - nodes.json truth.json <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	nodes = j["nodes"] if isinstance(j, dict) else j
	t = json.load(open(sys.argv[2]))
	merged = 0
	for n in nodes:
	    srcs = n.get("Sources") or sorted({s.split(":")[0] for s in n["NodeProperties"]["rawData"].get("sources", {})})
	    ids = [e["id"] for e in n.get("EntityIds", [])]
	    if "wz" in srcs and "arm" in srcs and n["NodeLabel"] == "microsoft.compute/virtualmachines":
	        merged += 1
	assert merged == len(t["azure"]), (merged, len(t["azure"]))
	EOF
	xsm --format=json paths list >paths.json &&
	json_get paths.json "len(j[\"paths\"]) if isinstance(j, dict) else len(j)" >npaths &&
	cat npaths
'

test_done

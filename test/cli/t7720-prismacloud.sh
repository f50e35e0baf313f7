#!/bin/sh
test_description='prismacloud: CSPM inventory and Compute vulnerabilities over real HTTP against the emulator (JWT login and extend, paging, errors)'
. "$(dirname "$0")/../lib/test-lib.sh"

export XSM_HTTP_BACKOFF_MS=20 PC_SECRET=emu-pc-secret WIZ_SECRET=emu-wiz-secret MS_SECRET=emu-ms-secret
EMU="--seed 5 --hosts 40 --findings-per-host 4"
TENANT=6b3b0e4c-51b2-4c1e-9d4a-7d1f3c2a9e10
CLIENT=0c5a3b1e-2f4d-4e6a-8b7c-9d0e1f2a3b4c
CWP=/us-1-111111111

python3 -c 'import cryptography' 2>/dev/null || {
	echo "1..0 # skip python3-cryptography is not installed (make deps)"
	exit 0
}

# add_pc NAME PORT [ARGS]: a prismacloud connector with the Compute console on the same emulator
add_pc() {
	n=$1 p=$2
	shift 2
	xsm connect add prismacloud "$n" --url http://127.0.0.1:$p --set access_key_id=emu-pc-key-id \
		--secret-key-env PC_SECRET --set compute_url=http://127.0.0.1:$p$CWP "$@"
}

start_emulator prisma $EMU --page-size 3 && PC=$EMU_PORT || {
	echo "1..0 # skip the emulator did not start"
	exit 0
}

python3 - "$XSM_TOP" >truth.json <<-\EOF
import json, sys
sys.path.insert(0, sys.argv[1] + "/test/emu")
import enterprise as E, cloudemu as C
ent = E.Enterprise(5, 40, 4)
cl = C.Cloud(ent)
vms = cl.vms
host_findings = sum(1 for v in vms for f in cl.vm_findings(v) if f["status"] != "Fixed")
print(json.dumps({"vms": len(vms), "others": len(cl.others), "findings": host_findings + 1,
                  "public_azure": sum(1 for v in vms if v["public"] and v["cloud"] == "Azure"),
                  "public_aws": sum(1 for v in vms if v["public"] and v["cloud"] == "AWS"),
                  "azure": sorted(v["pid"].lower() for v in vms if v["cloud"] == "Azure")}))
EOF

test_expect_success 'connect test: a CSPM login and a Compute authenticate' '
	add_pc pc $PC &&
	xsm connect test pc &&
	emu_requests $PC >reqs &&
	grep -q "^POST /login 200" reqs &&
	grep -q "^POST $CWP/api/v1/authenticate 200" reqs
'

test_expect_success 'sync: the inventory by RQL pages, then Compute hosts and images by offset' '
	xsm --format=json ingest pc --no-build >sum.json &&
	test "$(json_get sum.json "j[\"connectors\"][0][\"status\"]")" = ok &&
	n_mi=$(json_get truth.json "j[\"public_azure\"]") &&
	test "$(json_get sum.json "j[\"connectors\"][0][\"assets\"]")" = \
		"$(json_get truth.json "j[\"vms\"] + j[\"others\"] + 1 + j[\"public_azure\"]")" &&
	test "$(json_get sum.json "j[\"connectors\"][0][\"findings\"]")" = "$(json_get truth.json "j[\"findings\"]")" &&
	test "$(json_get sum.json "j[\"connectors\"][0][\"relations\"]")" = "$n_mi" &&
	emu_requests $PC >reqs &&
	test "$(grep -c "^POST /search/api/v2/config 200" reqs)" = 1 &&
	test "$(grep -c "^POST /search/config/page 200" reqs)" -ge 2 &&
	test "$(grep -c "^GET $CWP/api/v1/hosts?offset=" reqs)" -ge 2 &&
	grep -q "^GET $CWP/api/v1/images?offset=0&limit=50 200" reqs &&
	records pc >recs &&
	python3 - recs truth.json <<-\EOF
	import json, sys
	recs = [json.loads(l) for l in open(sys.argv[1])]
	t = json.load(open(sys.argv[2]))
	assets = {r["source_id"]: r for r in recs if r["type"] == "asset"}
	az = sorted(r["keys"]["cloud_id"] for r in assets.values() if r["label"] == "microsoft.compute/virtualmachines")
	assert az == t["azure"], az
	# Compute findings land on the inventory record of the same machine
	for f in (r for r in recs if r["type"] == "finding"):
	    assert f["asset"] in assets, f
	pub = [r for r in assets.values() if r["props"].get("exposedToInternet")]
	assert len(pub) == t["public_aws"], pub
	assert any(r["label"] == "containerimage" for r in assets.values())
	mis = [r for r in assets.values() if r["label"] == "managedidentity"]
	assert len(mis) == t["public_azure"] and all(r["keys"]["aad_object_id"] for r in mis), mis
	assert any(f["rce"] for f in recs if f["type"] == "finding")
	EOF
'

test_expect_success 'a short-lived JWT is extended with /auth_token/extend, never a 401' '
	start_emulator prisma $EMU --page-size 1 --token-ttl 4 --delay-ms 600 && p=$EMU_PORT &&
	add_pc pc2 $p &&
	xsm ingest pc2 --no-build &&
	emu_requests $p >reqs &&
	grep -q "^GET /auth_token/extend 200" reqs &&
	test "$(grep -c "^POST /login 200" reqs)" = 1 &&
	test_grep ! " 401 " reqs
'

test_expect_success 'an expired token mid-sync: a new login, the sync goes on' '
	start_emulator prisma $EMU --page-size 3 --fault expire@4 && p=$EMU_PORT &&
	add_pc pc3 $p &&
	xsm ingest pc3 --no-build &&
	emu_requests $p >reqs &&
	test "$(grep -c "^POST /login 200" reqs)" = 2
'

test_expect_success 'rate limited (429 with Retry-After and the X-RateLimit headers): retried' '
	start_emulator prisma $EMU --page-size 3 --fault 429@3 && p=$EMU_PORT &&
	add_pc pc4 $p &&
	xsm --format=json ingest pc4 --no-build >sum.json &&
	test "$(json_get sum.json "j[\"connectors\"][0][\"findings\"]")" = "$(json_get truth.json "j[\"findings\"]")" &&
	emu_requests $p >reqs &&
	grep -q " 429 429" reqs
'

test_expect_success 'a page token the server ignores: the walk stops (76) rather than loop' '
	start_emulator prisma $EMU --page-size 3 --fault repeat@3 && p=$EMU_PORT &&
	add_pc pcr $p &&
	test_expect_code 76 xsm ingest pcr --no-build 2>err &&
	test_grep "config search: .*\(repeats an earlier page\|sends a next page it sent before\)" err
'

test_expect_success 'a wrong stack URL: a clear configuration error (78)' '
	xsm connect add prismacloud pcw --url http://127.0.0.1:$PC/not-the-api --set access_key_id=emu-pc-key-id \
		--secret-key-env PC_SECRET &&
	test_expect_code 78 xsm connect test pcw 2>err &&
	test_grep "does not look like a Prisma Cloud API URL" err
'

test_expect_success 'a key of another stack, and an expired key: refused (77) with what to check' '
	start_emulator prisma $EMU --access-key other-stack-key && p=$EMU_PORT &&
	add_pc pcs $p &&
	test_expect_code 77 xsm connect test pcs 2>err &&
	test_grep "invalid_credentials: check access_key_id and the secret key, and that url is the API URL of the tenant.s stack" err &&
	start_emulator prisma $EMU --expired-key && p=$EMU_PORT &&
	add_pc pce $p &&
	test_expect_code 77 xsm ingest pce --no-build 2>err &&
	test_grep "access_key_expired: the access key has expired" err
'

test_expect_success 'Compute refused: its own settings are named' '
	add_pc pcc $PC --set compute_username=someone-else &&
	test_expect_code 77 xsm ingest pcc --no-build 2>err &&
	test_grep "compute: authenticate: HTTP 401: check compute_username and compute_password" err
'

test_expect_success 'without compute_url: the inventory alone, and connect show says so' '
	xsm connect add prismacloud pci --url http://127.0.0.1:$PC --set access_key_id=emu-pc-key-id \
		--secret-key-env PC_SECRET &&
	xsm --format=json ingest pci --no-build >sum.json &&
	test "$(json_get sum.json "j[\"connectors\"][0][\"findings\"]")" = 0 &&
	xsm connect show pci >show &&
	test_grep "no compute_url: no vulnerabilities" show
'

test_expect_success 'IAM permissions (iam_rql): a managed identity has a role on the key vault' '
	add_pc pc $PC --replace --set "iam_rql=config from iam where dest.cloud.type = '"'AZURE'"'" &&
	xsm ingest pc --no-build &&
	records pc >recs &&
	test "$(grep -c "\"label\":\"has role on\"" recs)" = "$(json_get truth.json "j[\"public_azure\"]")" &&
	test_grep "\"to\":\"pc:/subscriptions/[^\"]*/microsoft.keyvault/vaults/kv-payments\",\"props\":{\"role\":\"Key Vault Secrets User\"" recs &&
	emu_requests $PC >reqs &&
	grep -q "^POST /api/v1/permission 200" reqs
'

test_expect_success 'Wiz, Prisma Cloud and Azure: one node per VM, one per managed identity; a path to the key vault' '
	for n in pc2 pc3 pc4 pcr pcw pcs pce pcc pci; do xsm connect remove $n || exit 1; done &&
	start_emulator wiz $EMU && wz=$EMU_PORT &&
	xsm connect add wiz wz --url http://127.0.0.1:$wz --set auth_url=http://127.0.0.1:$wz/oauth/token \
		--set client_id=emu-wiz-client --client-secret-env WIZ_SECRET &&
	python3 "$XSM_TOP/test/emu/msemu.py" azure $EMU --port-file az.port >az.out 2>&1 &
	echo $! >>"$TRASH/.emu-pids" &&
	i=0 && while [ ! -s az.port ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done &&
	az=$(cat az.port) &&
	xsm connect add azure arm --url http://127.0.0.1:$az --set authority=http://127.0.0.1:$az \
		--set tenant=$TENANT --set client_id=$CLIENT --set calls_per_minute=0 --client-secret-env MS_SECRET &&
	xsm ingest --all &&
	xsm --format=json graph nodes >nodes.json &&
	python3 - nodes.json truth.json <<-\EOF
	import json, sys
	j = json.load(open(sys.argv[1]))
	nodes = j["nodes"] if isinstance(j, dict) else j
	t = json.load(open(sys.argv[2]))
	vms = [n for n in nodes if n["NodeLabel"] == "microsoft.compute/virtualmachines"]
	three = [n for n in vms if {"wz", "pc", "arm"} <= set(n.get("Sources", []))]
	assert len(three) == len(t["azure"]), [(n["NodeName"], n.get("Sources")) for n in vms]
	mis = [n for n in nodes if n["NodeLabel"] == "managedidentity" and {"pc", "arm"} <= set(n.get("Sources", []))]
	assert len(mis) == t["public_azure"], [(n["NodeName"], n.get("Sources")) for n in nodes if n["NodeLabel"] == "managedidentity"]
	EOF
	xsm --format=jsonl paths list >paths.jsonl &&
	python3 - paths.jsonl <<-\EOF
	import json, sys
	paths = [json.loads(l) for l in open(sys.argv[1])]
	hit = [p for p in paths if "kv-payments" in json.dumps(p) and "virtualmachines" in json.dumps(p)]
	assert hit, paths[:3]
	EOF
'

test_done

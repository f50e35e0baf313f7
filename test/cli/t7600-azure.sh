#!/bin/sh
test_description='azure: Resource Graph resources, network exposure and RBAC against its emulator; the Microsoft sources together'
. "$(dirname "$0")/../lib/test-lib.sh"

export XSM_HTTP_BACKOFF_MS=20 MS_SECRET=emu-ms-secret
EMU="--seed 5 --hosts 40 --findings-per-host 4"
TENANT=6b3b0e4c-51b2-4c1e-9d4a-7d1f3c2a9e10
CLIENT=0c5a3b1e-2f4d-4e6a-8b7c-9d0e1f2a3b4c

python3 -c 'import cryptography' 2>/dev/null || {
	echo "1..0 # skip python3-cryptography is not installed (make deps)"
	exit 0
}
start_emulator azure $EMU --page-size 7 && AZ=$EMU_PORT || {
	echo "1..0 # skip the emulator did not start"
	exit 0
}

python3 - "$XSM_TOP" >truth.json <<-\EOF
import json, sys
sys.path.insert(0, sys.argv[1] + "/test/emu")
import enterprise as E, msemu as M
ent = E.Enterprise(5, 40, 4)
vms = {M.vm_resource_id(ent, i).lower(): M.vm_id(ent, i) for i in range(ent.n) if M.azure_vm(ent, i)}
web = sorted(M.vm_resource_id(ent, i).lower() for i in range(ent.n) if M.azure_vm(ent, i) and ent.host(i).role == "web")
print(json.dumps({"vms": vms, "web": web, "cloudops": M.group_id(5, "Cloud Ops"), "frank": M.user_id(5, "frank.desk"),
                  "kv": M.arm("RG-SECURITY", "Microsoft.KeyVault/vaults", "kv-payments").lower()}))
EOF

test_expect_success 'connect test: one Resource Graph query per permission' '
	add_ms azure arm $AZ &&
	xsm --format=jsonl connect test arm >out &&
	test "$(grep -c "\"status\":\"granted\"" out)" = 3 &&
	start_emulator azure $EMU --deny Microsoft.Authorization/roleAssignments/read &&
	add_ms azure norbac $EMU_PORT &&
	test_expect_code 77 xsm connect test norbac >out 2>err &&
	test_grep "MISSING  Reader (Microsoft.Authorization/roleAssignments/read)" out &&
	test_grep "granted  Reader (Microsoft.Resources/subscriptions/resources/read)" out
'

test_expect_success 'ingest: resources labelled by ARM type, cloud_id the lower-case ARM id, a VM'"'"'s vmId apart' '
	xsm --format=json ingest arm --no-build >sum.json &&
	records arm >recs &&
	python3 - recs truth.json <<-\EOF
	import json, sys
	recs = [json.loads(l) for l in open(sys.argv[1])]
	t = json.load(open(sys.argv[2]))
	a = {r["source_id"]: r for r in recs if r["type"] == "asset"}
	vms = {r["keys"]["cloud_id"]: r for r in a.values() if r["label"] == "microsoft.compute/virtualmachines"}
	assert sorted(vms) == sorted(t["vms"]), sorted(vms)
	for cid, vmid in t["vms"].items():
	    assert vms[cid]["keys"]["azure_vm_id"] == vmid and cid == cid.lower()
	    assert vms[cid]["props"]["exposedToInternet"] == (cid in t["web"]), cid
	labels = {r["label"] for r in a.values()}
	for l in ("microsoft.keyvault/vaults", "microsoft.storage/storageaccounts", "microsoft.containerservice/managedclusters",
	          "microsoft.sql/servers", "microsoft.sql/servers/databases", "microsoft.network/publicipaddresses",
	          "microsoft.network/networksecuritygroups", "managedidentity", "microsoft.resources/subscriptions",
	          "microsoft.resources/subscriptions/resourcegroups"):
	    assert l in labels, (l, labels)
	kv = a["arm:" + t["kv"]]["props"]
	assert kv["vendorCriticality"] == "very high" and kv["connectedIdentities"] == 3 and not kv["exposedToInternet"], kv
	aks = [r for r in a.values() if r["label"] == "microsoft.containerservice/managedclusters"][0]["props"]
	assert aks["nodeCount"] == 7 and aks["sku"] == "Premium", aks
	st = {r["name"]: r["props"] for r in a.values() if r["label"] == "microsoft.storage/storageaccounts"}
	assert st["stpayments"]["immutable"] and not st["stpayments"]["exposedToInternet"], st
	assert st["stpublicweb"]["publicAccess"] and st["stpublicweb"]["exposedToInternet"], st
	db = [r for r in a.values() if r["label"] == "microsoft.sql/servers/databases"][0]["props"]
	assert db["containsSensitiveData"], db
	nsg = {r["name"]: r["props"] for r in a.values() if r["label"] == "microsoft.network/networksecuritygroups"}
	assert nsg["nsg-web"]["internetOpenPorts"] == ["443"] and not nsg["nsg-internal"]["openToInternet"], nsg
	rel = [(r["label"], r["from"], r["to"], r["props"]) for r in recs if r["type"] == "relation"]
	roles = [(f, to, p["role"]) for l, f, to, p in rel if l == "has role on"]
	assert ("arm:principal:" + t["cloudops"], "arm:" + t["kv"], "Key Vault Administrator") in roles, roles
	assert len(roles) == 6, roles   # the seventh is at management-group scope
	assert all(to in a for l, f, to, p in rel) and all(f in a for l, f, to, p in rel), "an edge to nowhere"
	routes = sorted(to[4:] for l, f, to, p in rel if l == "routes traffic to")
	assert routes == t["web"], routes
	assert any(l == "can authenticate as" and "managedclusters" in f for l, f, to, p in rel)
	EOF
'

test_expect_success 'paging by $skipToken; coverage says what was not drawn' '
	emu_requests $AZ >req &&
	test "$(grep -c "^POST /providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01 200" req)" -ge 6 &&
	xsm connect show arm >show &&
	test_grep "1 role assignments at management-group or root scope not drawn" show
'

test_expect_success 'the Microsoft sources together: a leaked-credential user to a critical key vault, every hop from a connector' '
	start_emulator entra $EMU && EN=$EMU_PORT &&
	start_emulator defender $EMU && DF=$EMU_PORT &&
	add_ms entra aad $EN && add_ms defender mde $DF &&
	xsm ingest aad mde arm &&
	xsm --format=jsonl paths list >paths.jsonl &&
	xsm graph nodes --format=jsonl >nodes.jsonl &&
	python3 - paths.jsonl nodes.jsonl truth.json <<-\EOF
	import json, sys
	paths = [json.loads(l) for l in open(sys.argv[1])]
	nodes = {n["NodeId"]: n for n in map(json.loads, open(sys.argv[2]))}
	t = json.load(open(sys.argv[3]))
	def sids(n):
	    return {e["id"] for e in n["EntityIds"] if e["type"] == "SourceId"}
	frank = [k for k, n in nodes.items() if "aad:" + t["frank"] in sids(n)][0]
	kv = [k for k, n in nodes.items() if "arm:" + t["kv"] in sids(n)][0]
	hit = [p for p in paths if p["entry"]["NodeId"] == frank and p["target"]["NodeId"] == kv]
	assert hit, "no path from the leaked-credential user to kv-payments"
	assert hit[0]["entry"]["type"] == "identity with leaked credentials", hit[0]["entry"]
	hops = [s.get("EdgeLabel") for s in hit[0]["steps"][:-1]]
	# frank -> Service Desk -> IT Admins -> Cloud Ops -> kv-payments: nested groups from Entra, the role from Azure
	assert hops == ["member of", "member of", "member of", "has role on"], hops
	# the Cloud Ops group of Entra and the principal Azure names are one node
	ops = [n for n in nodes.values() if "aad:" + t["cloudops"] in sids(n)][0]
	assert "arm:principal:" + t["cloudops"] in sids(ops), sids(ops)
	EOF
'

test_expect_success 'a 403 mid-sync and a truncated page: the clear error, the previous run kept' '
	cp "$XSM_STORE/records/arm/$(latest_run arm)" saved && before=$(latest_run arm) &&
	start_emulator azure $EMU --page-size 7 --fault 403@3+ && add_ms azure arm $EMU_PORT --replace &&
	test_expect_code 77 xsm ingest arm --no-build 2>err &&
	test_grep "AuthorizationFailed" err && test_grep "needs the permission Reader" err &&
	start_emulator azure $EMU --page-size 7 --fault truncate@2 && add_ms azure arm $EMU_PORT --replace &&
	test_expect_code 76 xsm ingest arm --no-build 2>err &&
	test_grep "truncated" err &&
	test "$(latest_run arm)" = "$before" && test_cmp saved "$XSM_STORE/records/arm/$before"
'

test_expect_success 'Resource Graph quota: with none left (x-ms-user-quota-*), the next query waits for the reset' '
	start_emulator azure $EMU --page-size 7 --arg-quota 2 --arg-window 1 && QP=$EMU_PORT &&
	add_ms azure quota $QP &&
	xsm -v ingest quota --no-build 2>err &&
	emu_requests $QP >req &&
	test "$(grep -c "^POST /providers/Microsoft.ResourceGraph/resources" req)" -gt 4 &&
	test_grep ! " 429 " req &&
	test_grep "Resource Graph quota used up: waiting 1s" err &&
	records quota >recs && test -s recs
'

test_done

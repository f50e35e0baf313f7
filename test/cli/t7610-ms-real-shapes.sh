#!/bin/sh
test_description='entra and azure read pages in the real Graph and Resource Graph shapes (test/fixtures/ms-shapes)'
. "$(dirname "$0")/../lib/test-lib.sh"

# The pages are xsm's own, written after real recorded responses (see test/fixtures/ms-shapes/README.md):
# Graph: JupiterOne/graph-azure src/steps/active-directory/__recordings__/{ad-users_2383246045,
#   ad-groups_395893247,ad-group-members_1372959748,ad-service-principals_1925755382,
#   ad-role-assignments_2576209236}/recording.har (commit 401f5e1e);
# Resource Graph: Azure/azure-powershell src/ResourceGraph/ResourceGraph.Test/SessionRecords/
#   Microsoft.Azure.Commands.ResourceGraph.Test.ScenarioTests.ResourceGraphQueryTests/{SkipTokenQuery,QueryError}.json

export XSM_HTTP_BACKOFF_MS=20 MS_SECRET=any-secret
TENANT=0b7c6a1e-5d4f-4e3a-9b2c-1d0e9f8a7b6c
CLIENT=0c5a3b1e-2f4d-4e6a-8b7c-9d0e1f2a3b4c
SHAPES="$XSM_TOP/test/fixtures/ms-shapes"

# start_replay VENDOR: serve the pages; sets PORT
start_replay() {
	pf="$TRASH/.replay.$1"
	python3 "$XSM_TOP/test/emu/replay.py" "$1" "$SHAPES" --port-file "$pf" >"$pf.out" 2>&1 &
	echo $! >>"$TRASH/.emu-pids"
	i=0
	while [ ! -s "$pf" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	PORT=$(cat "$pf" 2>/dev/null)
	[ -n "$PORT" ]
}

test_expect_success 'Graph: nulls, a guest, a synced user, a $skiptoken-only nextLink, members@delta, a managed identity' '
	start_replay entra-shape &&
	add_ms entra g $PORT &&
	xsm --format=json ingest g --no-build >sum.json &&
	records g >recs &&
	python3 - recs sum.json <<-\EOF
	import json, sys
	recs = [json.loads(l) for l in open(sys.argv[1])]
	a = {r["source_id"][2:]: r for r in recs if r["type"] == "asset"}
	ada, guest, sync, gone = (a[k] for k in ("5f0c4a3e-1b2d-4c6e-8f9a-0b1c2d3e4f50", "6a1d5b4f-2c3e-4d7f-9a0b-1c2d3e4f5061",
	                                         "7b2e6c50-3d4f-4e80-8b1c-2d3e4f506172", "8c3f7d61-4e50-4f91-9c2d-3e4f50617283"))
	# "mail": null and the onPremises* nulls of a cloud-only user are no keys
	assert ada["keys"] == {"aad_object_id": ada["source_id"][2:], "upn": "ada.admin@example.onmicrosoft.com"}, ada["keys"]
	assert ada["props"]["assignedRoles"] == ["Global Administrator"] and "onPremisesSyncEnabled" not in ada["props"]
	assert guest["props"]["userType"] == "Guest" and guest["keys"]["email"] == "pat.partner@example.org"
	assert sync["keys"]["sid"].startswith("S-1-5-21-") and sync["props"]["samAccountName"] == "sam.synced"
	# the second page came through the nextLink ($skiptoken alone)
	assert gone["props"]["accountEnabled"] is False
	ops, nested = a["9d408e72-5f61-4aa2-8d3e-4f5061728394"], a["ae519f83-6072-4bb3-9e4f-5061728394a5"]
	assert ops["props"].get("isAssignableToRole") is True and "isAssignableToRole" not in nested["props"]
	edges = sorted((r["from"][2:10], r["to"][2:10]) for r in recs if r["type"] == "relation" and r["label"] == "member of")
	# the device member is no identity here; a group split over two entries keeps every member
	assert edges == [("5f0c4a3e", "9d408e72"), ("6a1d5b4f", "ae519f83"), ("7b2e6c50", "ae519f83"),
	                 ("ae519f83", "9d408e72"), ("bf62a094", "ae519f83")], edges
	mi = a["c073b1a5-8294-4dd5-9061-728394a5b6c7"]
	assert mi["label"] == "managedidentity" and "firstParty" not in mi["props"], mi
	assert a["d184c2b6-93a5-4ee6-8172-8394a5b6c7d8"]["props"]["firstParty"] is True
	rel = {(r["label"], r["from"][2:10], r["to"][2:10]) for r in recs if r["type"] == "relation"}
	assert ("has permissions to", "bf62a094", "d184c2b6") in rel and ("can authenticate as", "6a1d5b4f", "bf62a094") in rel
	s = json.load(open(sys.argv[2]))["connectors"][0]
	assert s["skipped"] == 1, s
	EOF
	xsm connect show g >show &&
	test_grep "not licensed in the tenant, not read: risky users, leaked credentials, sign-in activity" show &&
	grep -F "graph-delta 1\\nhttp://127.0.0.1:$PORT/v1.0/users/delta?\$deltatoken=UsRQ" "$XSM_STORE/connectors/g.state"
'

test_expect_success 'Resource Graph: the real envelope, a base64 JSON $skipToken sent back in options' '
	start_replay azure-shape &&
	add_ms azure arg $PORT &&
	xsm --format=json ingest arg --no-build >sum.json &&
	records arg >recs &&
	python3 - recs <<-\EOF
	import json, sys
	recs = [json.loads(l) for l in open(sys.argv[1])]
	a = {r["keys"].get("cloud_id"): r for r in recs if r["type"] == "asset" and r["keys"].get("cloud_id")}
	vm = a["/subscriptions/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/resourcegroups/rg-prod/providers/microsoft.compute/virtualmachines/vm-web01"]
	assert vm["keys"]["azure_vm_id"] == "3a4b5c6d-7e8f-4a9b-8c0d-1e2f3a4b5c6d", vm["keys"]
	# the second page, asked for with the $skipToken
	assert any(k.endswith("/microsoft.keyvault/vaults/kv-prod") for k in a), sorted(a)
	roles = [(r["from"], r["props"].get("role")) for r in recs if r["type"] == "relation" and r["label"] == "has role on"]
	assert len(roles) == 2 and ("arg:principal:9d408e72-5f61-4aa2-8d3e-4f5061728394", "Owner") in roles, roles
	EOF
'

test_expect_success 'Resource Graph: a query error says what its details say; truncated results without a $skipToken fail' '
	start_replay azure-shape-error &&
	add_ms azure bad $PORT &&
	test_expect_code 76 xsm ingest bad --no-build 2>err &&
	test_grep "HTTP 400.*InvalidQuery: Query validation error (ParserFailure: Parser failure)" err &&
	start_replay azure-shape-truncated &&
	add_ms azure cut $PORT &&
	test_expect_code 76 xsm ingest cut --no-build 2>err &&
	test_grep "truncated the results (resultTruncated) and sent no \$skipToken" err
'

test_done

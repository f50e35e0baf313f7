#!/bin/sh
test_description='entra: Microsoft Graph users, groups, nested memberships, roles, applications and risk against its emulator'
. "$(dirname "$0")/../lib/test-lib.sh"

export XSM_HTTP_BACKOFF_MS=20 MS_SECRET=emu-ms-secret
EMU="--seed 5 --hosts 40 --findings-per-host 4"
TENANT=6b3b0e4c-51b2-4c1e-9d4a-7d1f3c2a9e10
CLIENT=0c5a3b1e-2f4d-4e6a-8b7c-9d0e1f2a3b4c

python3 -c 'import cryptography' 2>/dev/null || {
	echo "1..0 # skip python3-cryptography is not installed (make deps)"
	exit 0
}
start_emulator entra $EMU --users 20 --page-size 7 && EN=$EMU_PORT || {
	echo "1..0 # skip the emulator did not start"
	exit 0
}

# emu_post PORT PATH: a control call to the emulator (/_emu/change, /_emu/expire-delta)
emu_post() {
	python3 -c '
import sys, urllib.request
req = urllib.request.Request("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2]), method="POST")
urllib.request.urlopen(req).read()' "$1" "$2"
}

# the directory the emulator serves, from its own code
python3 - "$XSM_TOP" >truth.json <<-\EOF
import json, sys
sys.path.insert(0, sys.argv[1] + "/test/emu")
import msemu as M
users, members = M.directory(5, 20)
ids = {"user": M.user_id, "group": M.group_id, "servicePrincipal": M.sp_id}
print(json.dumps({"users": {M.user_id(5, n): s for n, s in users},
                  "groups": {M.group_id(5, g): g for g, _, _ in M.GROUPS},
                  "edges": sorted("%s>%s" % (ids[k](5, m), M.group_id(5, g)) for k, m, g in members),
                  "frank": M.user_id(5, "frank.desk"), "alice": M.user_id(5, "alice.admin"),
                  "itadmins": M.group_id(5, "IT Admins"), "sp": M.sp_id(5, "deploy-pipeline"),
                  "bob": M.user_id(5, "bob.ops"), "mi": M.sp_id(5, "mi-web-prod")}))
EOF

test_expect_success 'connect test: one Graph call per permission, each granted' '
	add_ms entra aad $EN &&
	xsm connect test aad >out &&
	for p in User.Read.All AuditLog.Read.All GroupMember.Read.All RoleManagement.Read.Directory \
		Application.Read.All IdentityRiskyUser.Read.All IdentityRiskEvent.Read.All; do
		test_grep "granted  $p " out || return 1
	done &&
	test "$(emu_requests $EN | grep -c -v oauth2)" = 7
'

test_expect_success 'a missing permission is named (the Graph 403 body does not say which)' '
	start_emulator entra $EMU --deny RoleManagement.Read.Directory &&
	add_ms entra noroles $EMU_PORT &&
	test_expect_code 77 xsm connect test noroles >out 2>err &&
	test_grep "MISSING  RoleManagement.Read.Directory" out &&
	test_expect_code 77 xsm ingest noroles --no-build 2>err &&
	test_grep "directory roles: HTTP 403: Authorization_RequestDenied: Insufficient privileges to complete the operation: the application needs the permission RoleManagement.Read.Directory" err
'

test_expect_success 'ingest: every user and group, every membership edge (nested ones too), keys for resolution' '
	xsm --format=json ingest aad --no-build >sum.json &&
	records aad >recs &&
	python3 - recs truth.json sum.json <<-\EOF
	import json, sys
	recs = [json.loads(l) for l in open(sys.argv[1])]
	t = json.load(open(sys.argv[2]))
	s = json.load(open(sys.argv[3]))["connectors"][0]
	a = {r["source_id"][4:]: r for r in recs if r["type"] == "asset"}
	users = {k: r for k, r in a.items() if r["label"] == "user"}
	assert sorted(users) == sorted(t["users"]), (len(users), len(t["users"]))
	for k, sid in t["users"].items():
	    keys = users[k]["keys"]
	    assert keys["aad_object_id"] == k and keys["upn"].endswith("@corp.example.com"), keys
	    assert keys.get("sid") == sid, (keys, sid)
	groups = {k: r["name"] for k, r in a.items() if r["label"] == "group"}
	assert groups == t["groups"], groups
	edges = sorted("%s>%s" % (r["from"][4:], r["to"][4:]) for r in recs if r["type"] == "relation" and r["label"] == "member of")
	assert edges == t["edges"], set(edges) ^ set(t["edges"])
	assert a[t["mi"]]["label"] == "managedidentity"
	assert s["billable"]["identities"] == len(users) + 3 and s["billable"]["applications"] == 1, s
	EOF
'

test_expect_success 'roles are properties; risky users and leaked credentials mark the entry points; sign-ins' '
	records aad >recs &&
	python3 - recs truth.json <<-\EOF
	import json, sys
	recs = [json.loads(l) for l in open(sys.argv[1])]
	t = json.load(open(sys.argv[2]))
	a = {r["source_id"][4:]: r for r in recs if r["type"] == "asset"}
	assert a[t["alice"]]["props"]["assignedRoles"] == ["Global Administrator"]
	assert a[t["itadmins"]]["props"]["assignedRoles"] == ["User Administrator"]
	assert a[t["sp"]]["props"]["assignedRoles"] == ["Application Administrator"]
	f = a[t["frank"]]["props"]
	assert f["hasLeakedCredentials"] is True and f["riskLevel"] == "high" and f["riskState"] == "atRisk", f
	leaked = [k for k, r in a.items() if r["props"].get("hasLeakedCredentials")]
	assert leaked == [t["frank"]], leaked
	assert all("lastSignIn" in r["props"] for r in a.values() if r["label"] == "user")
	rel = [(r["label"], r["from"][4:], r["to"][4:], r["props"]) for r in recs if r["type"] == "relation" and r["label"] != "member of"]
	assert any(l == "has permissions to" and f == t["sp"] and p["resource"] == "Microsoft Graph" for l, f, to, p in rel), rel
	assert any(l == "can authenticate as" and f == t["bob"] and to == t["sp"] for l, f, to, p in rel), rel
	EOF
'

test_expect_success 'paging follows @odata.nextLink ($skiptoken), through the delta rounds' '
	emu_requests $EN >req &&
	test_grep "^GET /v1.0/users/delta?.*skiptoken=" req &&
	test_grep "^GET /v1.0/groups/delta?.*skiptoken=" req &&
	test "$(grep -c "^GET /v1.0/users/delta" req)" = 4
'

test_expect_success 'the Graph users and the Defender logon accounts are one identity each (SID)' '
	start_emulator defender $EMU && DF=$EMU_PORT &&
	add_ms defender mde $DF &&
	xsm ingest aad mde &&
	xsm graph nodes --label user --format=jsonl >users.jsonl &&
	xsm graph edges --format=jsonl >edges.jsonl &&
	python3 - users.jsonl edges.jsonl truth.json <<-\EOF
	import json, sys
	nodes = [json.loads(l) for l in open(sys.argv[1])]
	edges = [json.loads(l) for l in open(sys.argv[2])]
	t = json.load(open(sys.argv[3]))
	def sids(n):
	    return {e["id"] for e in n["EntityIds"] if e["type"] == "SourceId"}
	synced = [k for k, sid in t["users"].items() if sid]
	for k in synced:
	    hit = [n for n in nodes if "aad:" + k in sids(n)]
	    assert len(hit) == 1, k
	    assert any(s.startswith("mde:user:") for s in sids(hit[0])), sids(hit[0])
	# the Defender logon edges now reach the Entra users
	ids = {n["NodeId"] for n in nodes if any(s.startswith("aad:") for s in sids(n))}
	logon = [e for e in edges if e["EdgeLabel"] == "frequently logged in by"]
	assert logon and all(e["TargetNodeId"] in ids for e in logon), len(logon)
	EOF
'

test_expect_success 'a tenant without P1/P2: sign-ins and Identity Protection skipped, said in connect show' '
	start_emulator entra $EMU --unlicensed && UP=$EMU_PORT &&
	add_ms entra free $UP &&
	xsm ingest free --no-build &&
	records free >recs &&
	test_grep ! hasLeakedCredentials recs && test_grep ! lastSignIn recs &&
	test_grep assignedRoles recs &&
	xsm connect show free >show &&
	test_grep "not licensed in the tenant, not read: risky users, leaked credentials, sign-in activity" show
'

test_expect_success 'a permission removed mid-sync or an expired token: the clear error, the previous run kept' '
	cp "$XSM_STORE/records/aad/$(latest_run aad)" saved && before=$(latest_run aad) &&
	start_emulator entra $EMU --page-size 7 --fault 403@9+ &&
	add_ms entra aad $EMU_PORT --replace &&
	test_expect_code 77 xsm ingest aad --no-build 2>err &&
	test_grep "HTTP 403.*needs the permission User.Read.All" err &&
	test "$(latest_run aad)" = "$before" && test_cmp saved "$XSM_STORE/records/aad/$before" &&
	start_emulator entra $EMU --page-size 7 --fault 401@9 &&
	add_ms entra aad $EMU_PORT --replace &&
	xsm ingest aad --no-build &&
	test "$(latest_run aad)" != "$before" &&
	test "$(emu_requests $EMU_PORT | grep -c "oauth2/v2.0/token 200")" = 2
'

# a tenant that changes between syncs; pages of 2 so that delta rounds page too
start_emulator entra $EMU --users 20 --page-size 2 && IN=$EMU_PORT

test_expect_success 'incremental sync: the delta links are the cursor; the next sync asks them only for changes' '
	add_ms entra inc $IN &&
	xsm --format=json ingest inc --no-build >first.json &&
	json_get first.json "j[\"connectors\"][0][\"incremental\"]" | test_grep False /dev/stdin &&
	records inc | sort >before.sorted &&
	xsm connect show inc >show &&
	test_grep "users and groups: full read (delta links kept for the next sync)" show &&
	emu_post $IN /_emu/change &&
	emu_requests $IN >req1 &&
	xsm --format=json ingest inc --no-build >inc.json &&
	json_get inc.json "j[\"connectors\"][0][\"incremental\"]" | test_grep True /dev/stdin &&
	emu_requests $IN >req2 &&
	sed -n "$(($(wc -l <req1) + 1)),\$p" req2 >req &&
	test_grep "^GET /v1.0/users/delta?\$deltatoken=" req &&
	test_grep "^GET /v1.0/groups/delta?\$deltatoken=" req &&
	test_grep "^GET /v1.0/groups/delta?\$skiptoken=" req &&
	test_grep ! "^GET /v1.0/users/delta?%24select" req &&
	test "$(grep -c "^GET /v1.0/users/delta" req)" = 2 &&
	xsm connect show inc >show &&
	test_grep "users and groups: delta query (3 users, 3 groups, 7 memberships changed)" show
'

test_expect_success 'the patched run is the run a full sync of the changed tenant writes' '
	records inc | sort >inc.sorted &&
	! test_cmp before.sorted inc.sorted >/dev/null &&
	XSM_STORE="$PWD/fresh" add_ms entra inc $IN &&
	XSM_STORE="$PWD/fresh" xsm ingest inc --no-build &&
	cat fresh/records/inc/*.jsonl | sort >full.sorted &&
	test_cmp full.sorted inc.sorted &&
	python3 - inc.sorted <<-\EOF
	import json, sys
	recs = [json.loads(l) for l in open(sys.argv[1])]
	a = {r["name"]: r for r in recs if r["type"] == "asset"}
	assert "new.hire@corp.example.com" in a and "cloud.user000@corp.example.com" not in a
	assert a["new.hire@corp.example.com"]["props"]["assignedRoles"] == ["Security Reader"]
	assert "assignedRoles" not in a["erin.sec@corp.example.com"]["props"]
	u = a["cloud.user001@corp.example.com"]["props"]
	assert u["accountEnabled"] is False and u["displayName"] == "Cloud User001 (left)", u
	assert "Virtualization" not in a and "Contractors" in a and "Cloud Operations" in a
	EOF
'

test_expect_success 'a delta link Graph no longer honours (410 resyncRequired): a full sync instead' '
	emu_post $IN /_emu/expire-delta &&
	xsm --format=json -v ingest inc --no-build >re.json 2>err &&
	json_get re.json "j[\"connectors\"][0][\"incremental\"]" | test_grep False /dev/stdin &&
	test_grep "delta link has expired: a full sync" err &&
	emu_requests $IN >req &&
	test_grep "^GET /v1.0/users/delta?\$deltatoken=.* 410 " req &&
	records inc | sort >re.sorted &&
	test_cmp full.sorted re.sorted &&
	xsm --format=json ingest inc --no-build >again.json &&
	json_get again.json "j[\"connectors\"][0][\"incremental\"]" | test_grep True /dev/stdin &&
	records inc | sort >again.sorted &&
	test_cmp full.sorted again.sorted
'

test_done

#!/bin/sh
test_description='defender: Defender for Endpoint over real HTTP against its emulator (tokens, paging, faults, logons)'
. "$(dirname "$0")/../lib/test-lib.sh"

export XSM_HTTP_BACKOFF_MS=20 MS_SECRET=emu-ms-secret SN_PASS=emu-sn-pass
EMU="--seed 5 --hosts 40 --findings-per-host 4"
TENANT=6b3b0e4c-51b2-4c1e-9d4a-7d1f3c2a9e10
CLIENT=0c5a3b1e-2f4d-4e6a-8b7c-9d0e1f2a3b4c

python3 -c 'import cryptography' 2>/dev/null || {
	echo "1..0 # skip python3-cryptography is not installed (make deps)"
	exit 0
}
start_emulator defender $EMU --page-size 7 && DF=$EMU_PORT || {
	echo "1..0 # skip the emulator did not start"
	exit 0
}

# add_mde NAME PORT [ARGS]: a defender connector on an emulator (secret by reference)
add_mde() {
	n=$1 p=$2
	shift 2
	xsm connect add defender "$n" --url http://127.0.0.1:$p --set authority=http://127.0.0.1:$p \
		--set tenant=$TENANT --set client_id=$CLIENT --set calls_per_minute=0 "$@"
}

# what the emulator serves, from its own code: machines, findings, logon edges
python3 - "$XSM_TOP" >truth.json <<-\EOF
import json, sys
sys.path.insert(0, sys.argv[1] + "/test/emu")
import enterprise as E, msemu as M
ent = E.Enterprise(5, 40, 4)
hosts = [i for i in range(ent.n) if M.defender_covers(ent, i)]
out = {"machines": {M.machine_id(ent, i): {"host": ent.host(i).name, "fqdn": ent.host(i).fqdn,
                                            "cloud": M.vm_resource_id(ent, i).lower() if M.azure_vm(ent, i) else None,
                                            "vmid": M.vm_id(ent, i) if M.azure_vm(ent, i) else None,
                                            "cves": sorted(f["check"]["cve"] for f in ent.findings(i)
                                                           if f["check"]["cve"] and f["status"] != "Fixed"),
                                            "logons": sorted(M.user_sid(j) for j, n, t in M.logons(ent, i))}
                   for i in hosts}}
print(json.dumps(out))
EOF

test_expect_success 'add needs a tenant, a client id and a credential given by reference' '
	test_expect_code 64 xsm connect add defender x --url http://127.0.0.1:$DF --set client_id=$CLIENT --client-secret-env MS_SECRET &&
	test_expect_code 64 xsm connect add defender x --url http://127.0.0.1:$DF --set tenant=$TENANT --set authority=http://example.com \
		--set client_id=$CLIENT --client-secret-env MS_SECRET 2>err &&
	test_grep "not allowed" err &&
	add_mde nocred $DF &&
	test_expect_code 78 xsm connect test nocred 2>err &&
	test_grep "no credential" err &&
	add_mde mde $DF --client-secret-env MS_SECRET
'

test_expect_success 'connect test: one call per permission, each granted' '
	xsm connect test mde >out &&
	for p in Machine.Read.All Vulnerability.Read.All AdvancedQuery.Read.All User.Read.All; do
		test_grep "granted  $p" out || return 1
	done &&
	test_grep "^mde: ok" out &&
	emu_requests $DF >req &&
	test "$(grep -c "^POST /$TENANT/oauth2/v2.0/token 200" req)" = 1 &&
	test "$(grep -c -v oauth2 req)" = 5
'

test_expect_success 'a missing permission: connect test names it as missing and exits 77' '
	start_emulator defender $EMU --deny AdvancedQuery.Read.All,Machine.Read.All &&
	add_mde denied $EMU_PORT --client-secret-env MS_SECRET &&
	test_expect_code 77 xsm connect test denied >out 2>err &&
	test_grep "MISSING  Machine.Read.All" out &&
	test_grep "MISSING  AdvancedQuery.Read.All" out &&
	test_grep "granted  Vulnerability.Read.All" out &&
	test_grep "lacks the permissions Machine.Read.All, AdvancedQuery.Read.All" err
'

test_expect_success 'a wrong secret: 77 with the identity platform'"'"'s words, and no secret in the output' '
	MS_SECRET=wrong test_expect_code 77 xsm connect test mde >out 2>err &&
	test_grep "invalid_client: AADSTS7000215" err &&
	test_grep ! wrong err
'

test_expect_success 'ingest: every machine, every CVE, every logon edge the emulator serves' '
	xsm --format=json ingest mde --no-build >sum.json &&
	records mde >recs &&
	python3 - recs truth.json sum.json <<-\EOF
	import json, sys
	recs = [json.loads(l) for l in open(sys.argv[1])]
	t = json.load(open(sys.argv[2]))["machines"]
	s = json.load(open(sys.argv[3]))["connectors"][0]
	dev = {r["keys"]["mde_id"]: r for r in recs if r["type"] == "asset" and r["label"] == "device"}
	assert sorted(dev) == sorted(t), (len(dev), len(t))
	assert s["billable"]["devices"] == len(t), s
	for mid, m in t.items():
	    k = dev[mid]["keys"]
	    assert k["fqdn"] == m["fqdn"] and k["hostname"] == m["host"], k
	    assert k.get("cloud_id") == m["cloud"] and k.get("azure_vm_id") == m["vmid"], (k, m)
	    cves = sorted(r["cve"] for r in recs if r["type"] == "finding" and r["asset"] == "mde:" + mid)
	    assert cves == m["cves"], (mid, cves, m["cves"])
	    users = {r["source_id"]: r for r in recs if r["type"] == "asset" and r["label"] == "user"}
	    sids = sorted(users[r["to"]]["keys"]["sid"] for r in recs
	                  if r["type"] == "relation" and r["from"] == "mde:" + mid)
	    assert sids == m["logons"], (mid, sids, m["logons"])
	f = [r for r in recs if r["type"] == "finding"]
	assert all(x["reportedBy"] if "reportedBy" in x else x["props"]["reportedBy"] == "defender" for x in f)
	assert all("cvss" in x and x["severity"] in ("critical", "high", "medium", "low") for x in f), f[0]
	assert any(x["exploitAvailable"] for x in f) and any(x["rce"] for x in f)
	assert any(r["props"].get("vendorCriticality") for r in dev.values())
	EOF
'

test_expect_success 'paging: $top/$skip until an empty page; the bulk endpoint'"'"'s nextLink is followed' '
	emu_requests $DF | grep -v oauth2 | tail -n +6 >req &&
	test_grep "^GET /api/machines?%24top=10000&%24skip=0 200" req &&
	test_grep "^GET /api/machines?%24top=10000&%24skip=7 200" req &&
	last=$(grep "^GET /api/machines?" req | tail -1) &&
	python3 -c "import sys; n = int(sys.argv[1].split(\"skip=\")[1].split()[0]); assert n >= 28, n" "$last" &&
	grep "machinesVulnerabilities" req | head -2 | tail -1 >second &&
	test_grep "%24top=7&%24skip=7 200" second &&
	test_grep "^POST /api/advancedqueries/run 200" req
'

test_expect_success 'the Defender machines merge with the same hosts from the CMDB (fqdn, mac)' '
	start_emulator servicenow $EMU && SN=$EMU_PORT &&
	xsm connect add servicenow cmdb --url http://127.0.0.1:$SN --username xsm --password-env SN_PASS --set lookback_days=0 &&
	xsm ingest cmdb &&
	xsm graph nodes --label device --format=jsonl >nodes.jsonl &&
	python3 - nodes.jsonl truth.json <<-\EOF
	import json, sys
	nodes = [json.loads(l) for l in open(sys.argv[1])]
	t = json.load(open(sys.argv[2]))["machines"]
	def sids(n):
	    return {e["id"] for e in n["EntityIds"] if e["type"] == "SourceId"}
	merged = 0
	for mid in t:
	    hit = [n for n in nodes if "mde:" + mid in sids(n)]
	    assert len(hit) == 1, mid
	    merged += any(s.startswith("cmdb:") for s in sids(hit[0]))
	assert merged >= len(t) * 0.7, (merged, len(t))
	EOF
'

test_expect_success 'certificate credentials: a signed client assertion with the x5t of the certificate' '
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 -subj /CN=xsm-test 2>/dev/null &&
	chmod 600 key.pem &&
	start_emulator defender $EMU --cert "$PWD/cert.pem" && CP=$EMU_PORT &&
	add_mde cert $CP --private-key-file "$PWD/key.pem" --set certificate="$PWD/cert.pem" --set logons=off &&
	xsm --format=json ingest cert --no-build >sum.json &&
	json_get sum.json "j[\"connectors\"][0][\"assets\"] > 0" | test_grep True /dev/stdin &&
	emu_requests $CP >req && test_grep "oauth2/v2.0/token 200" req &&
	cat key.pem cert.pem >both.pem && chmod 600 both.pem &&
	add_mde both $CP --private-key-file "$PWD/both.pem" --set logons=off &&
	xsm connect test both >/dev/null &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout other.pem -out other.crt -days 2 -subj /CN=other 2>/dev/null &&
	chmod 600 other.pem &&
	add_mde wrongkey $CP --private-key-file "$PWD/other.pem" --set certificate="$PWD/cert.pem" &&
	test_expect_code 77 xsm connect test wrongkey 2>err &&
	test_grep "AADSTS700027" err &&
	chmod 644 key.pem &&
	test_expect_code 77 xsm connect test cert 2>err &&
	test_grep "chmod 600" err &&
	chmod 600 key.pem
'

test_expect_success 'the token is kept for its lifetime and taken again before it expires, never stored' '
	start_emulator defender $EMU --token-lifetime 2 --delay-ms 120 && TP=$EMU_PORT &&
	add_mde short $TP --client-secret-env MS_SECRET --set logons=off --set page_size=5 &&
	xsm ingest short --no-build &&
	emu_requests $TP >req &&
	test "$(grep -c "oauth2/v2.0/token 200" req)" -ge 2 &&
	test_grep ! " 401 " req &&
	test "$(grep -c "oauth2/v2.0/token" req)" -lt "$(grep -c -v oauth2 req)" &&
	! grep -r -l -e "emu-ms-secret" -e "Bearer" "$XSM_STORE"
'

test_expect_success '429 and 503 with Retry-After are retried; an expired token mid-sync is replaced once' '
	start_emulator defender $EMU --fault 429@3,503@5,401@8 && FP=$EMU_PORT &&
	add_mde faults $FP --client-secret-env MS_SECRET &&
	xsm ingest faults --no-build &&
	emu_requests $FP >req &&
	test_grep " 429 429$" req && test_grep " 503 503$" req && test_grep " 401 401$" req &&
	test "$(grep -c "oauth2/v2.0/token 200" req)" = 2
'

test_expect_success 'the previous run is kept byte for byte when a sync fails part way' '
	cp "$XSM_STORE/records/mde/$(latest_run mde)" saved && before=$(latest_run mde) &&
	check_kept() {
		test "$(latest_run mde)" = "$before" && test_cmp saved "$XSM_STORE/records/mde/$before"
	} &&
	start_emulator defender $EMU --fault revoke@4 && add_mde mde $EMU_PORT --replace --client-secret-env MS_SECRET &&
	test_expect_code 77 xsm ingest mde --no-build 2>err &&
	test_grep "invalid_client" err && check_kept &&
	start_emulator defender $EMU --fault 403@6+ && add_mde mde $EMU_PORT --replace --client-secret-env MS_SECRET &&
	test_expect_code 77 xsm ingest mde --no-build 2>err &&
	test_grep "machine vulnerabilities: HTTP 403: Forbidden: .*needs the permission Vulnerability.Read.All" err && check_kept &&
	start_emulator defender $EMU --fault truncate@4 && add_mde mde $EMU_PORT --replace --client-secret-env MS_SECRET &&
	test_expect_code 76 xsm ingest mde --no-build 2>err &&
	test_grep "truncated" err && check_kept &&
	start_emulator defender $EMU --fault garble@3+ && add_mde mde $EMU_PORT --replace --client-secret-env MS_SECRET &&
	XSM_HTTP_RETRIES=1 test_expect_code 76 xsm ingest mde --no-build 2>err && check_kept &&
	xsm connect list --format=json >list.json &&
	json_get list.json "[c[\"status\"] for c in j[\"connectors\"] if c[\"name\"]==\"mde\"]" | test_grep error /dev/stdin
'

test_expect_success 'no advanced hunting: logged-on users per machine, most critical first, coverage in connect show; logons=hunting gives 77' '
	start_emulator defender $EMU --deny AdvancedQuery.Read.All && HP=$EMU_PORT &&
	add_mde perhost $HP --client-secret-env MS_SECRET --set logon_machines=5 &&
	xsm ingest perhost --no-build &&
	emu_requests $HP >req &&
	test "$(grep -c "/logonusers 200" req)" = 5 &&
	test_grep "^POST /api/advancedqueries/run 403" req &&
	xsm connect show perhost >show &&
	test_grep "per machine for 5 of [0-9]* devices" show &&
	test_grep "AdvancedQuery.Read.All" show &&
	records perhost >recs &&
	python3 - recs <<-\EOF
	import json, sys
	recs = [json.loads(l) for l in open(sys.argv[1])]
	dev = {r["source_id"]: r for r in recs if r["type"] == "asset" and r["label"] == "device"}
	asked = {r["from"] for r in recs if r["type"] == "relation"}
	assert len(asked) == 5, asked
	rank = {"very high": 4, "high": 3, "medium": 1}
	pr = lambda r: rank.get(r["props"].get("vendorCriticality"), 0)
	worst_asked = min(pr(dev[a]) for a in asked)
	assert all(pr(r) <= worst_asked for s, r in dev.items() if s not in asked), "a more critical machine was left out"
	EOF
	add_mde huntonly $HP --client-secret-env MS_SECRET --set logons=hunting &&
	test_expect_code 77 xsm ingest huntonly --no-build 2>err &&
	test_grep "AdvancedQuery.Read.All" err
'

# the machines in the order the fallback asks them: the most critical first
rotation_check() {
	python3 - "$@" <<-\EOF
	import json, sys
	recs = [json.loads(l) for l in open(sys.argv[1])]
	t = json.load(open(sys.argv[2]))
	asked_now = set(open(sys.argv[3]).read().split())
	seen_before = set(open(sys.argv[4]).read().split()) if len(sys.argv) > 4 else set()
	edges = [r for r in recs if r["type"] == "relation" and r["label"] == "frequently logged in by"]
	by_machine = {}
	for e in edges:
	    by_machine.setdefault(e["from"].split(":", 1)[1], []).append(e)
	# every machine asked now or before has its edges, those of now learned now
	for m in asked_now | seen_before:
	    sids = sorted(e["to"].split(":", 2)[2].upper() for e in by_machine.get(m, []))
	    assert sids == t["machines"][m]["logons"], (m, sids)
	learned = {e["props"]["learnedAt"] for m in asked_now for e in by_machine[m]}
	assert len(learned) == (1 if asked_now else 0), learned
	kept = {e["props"]["learnedAt"] for m in seen_before - asked_now for e in by_machine[m]}
	assert not kept or not learned or max(kept) <= min(learned), (kept, learned)
	assert set(by_machine) == asked_now | seen_before, set(by_machine) ^ (asked_now | seen_before)
	users = {r["source_id"] for r in recs if r["type"] == "asset" and r["label"] == "user"}
	assert all(e["to"] in users for e in edges)
	EOF
}

asked() {
	sed -n "$(($2 + 1)),\$p" "$1" | sed -n "s|^GET /api/machines/\([0-9a-f]*\)/logonusers 200.*|\1|p" | sort
}

start_emulator defender $EMU --deny AdvancedQuery.Read.All && RP=$EMU_PORT

test_expect_success 'per machine in turn: each sync goes on where the last stopped, edges of machines not asked are kept' '
	add_mde rot $RP --client-secret-env MS_SECRET --set logons=machines --set logon_machines=12 &&
	total=$(json_get truth.json "len(j[\"machines\"])") &&
	rounds=$(( (total + 11) / 12 )) && test $rounds -gt 2 &&
	: >seen && k=0 && n=0 &&
	while [ $n -lt $rounds ]; do
		n=$((n + 1)) && k=$((k + 12)) &&
		emu_requests $RP >before &&
		XSM_NOW=2026-11-24T1$n:00:00Z xsm ingest rot --no-build &&
		emu_requests $RP >after &&
		asked after "$(wc -l <before)" >now &&
		test "$(wc -l <now)" = 12 &&
		records rot >recs &&
		rotation_check recs truth.json now seen &&
		xsm connect show rot >show &&
		test_grep "per machine for 12 of $total devices this sync" show || return 1
		if [ $k -lt $total ]; then
			test_must_fail grep -qxFf seen now &&
			test_grep "$k of $total asked so far in round 1" show || return 1
		else
			# the round ends and the next begins, the most critical first, within this sync
			test "$(sort -u seen now | wc -l)" = "$total" &&
			test_grep "$((k - total)) of $total asked so far in round 2" show || return 1
		fi
		cat now >>seen && sort -u -o seen seen || return 1
	done &&
	test_grep "logon edges of devices not asked now kept from earlier syncs (oldest learned 2026-11-24T1[0-9]:00:00Z)" show &&
	first=$(sed -n "s/.*learnedAt\":\"\([^\"]*\)\".*/\1/p" recs | sort | head -1) &&
	test "$first" = 2026-11-24T11:00:00Z
'

test_expect_success 'per machine within the hour: what earlier syncs used of logon_calls_per_hour is not asked again' '
	add_mde hourly $RP --client-secret-env MS_SECRET --set logons=machines --set logon_machines=10 \
		--set logon_calls_per_hour=16 &&
	emu_requests $RP >r0 && xsm ingest hourly --no-build && emu_requests $RP >r1 &&
	test "$(asked r1 "$(wc -l <r0)" | wc -l)" = 10 &&
	xsm ingest hourly --no-build && emu_requests $RP >r2 &&
	test "$(asked r2 "$(wc -l <r1)" | wc -l)" = 6 &&
	xsm connect show hourly >show &&
	test_grep "per machine for 6 of .* the hour.s calls used up" show &&
	xsm ingest hourly --no-build && emu_requests $RP >r3 &&
	test "$(asked r3 "$(wc -l <r2)" | wc -l)" = 0 &&
	records hourly >recs &&
	asked r2 "$(wc -l <r0)" >seen && : >none &&
	rotation_check recs truth.json none seen
'

test_done

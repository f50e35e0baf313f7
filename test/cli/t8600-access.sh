#!/bin/sh
test_description='roles on a shared store: every row of the table as real Unix users, bypasses, scopes, audit'
. "$(dirname "$0")/../lib/test-lib.sh"

# Real users need root.  Outside CI a non-root run skips; under CI=true
# a skip is a failure (CI runs as root).
if [ "$(id -u)" != 0 ] || ! command -v useradd >/dev/null || ! command -v setpriv >/dev/null; then
	if [ "$CI" = true ]; then
		echo "not ok 1 - the role matrix needs root, useradd and setpriv, and CI=true forbids skipping"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP needs root (useradd, setpriv) to run commands as real users"
	exit 0
fi

# short names: user names are at most 32 bytes
P="xt$$"
SVC="${P}svc"
ROLES="global-admin global-reader security-admin security-operator security-reader"
short() {
	case "$1" in
	global-admin) echo ga ;; global-reader) echo gr ;; security-admin) echo sa ;;
	security-operator) echo so ;; security-reader) echo sr ;;
	esac
}
USERS="$SVC ${P}ga ${P}gr ${P}sa ${P}so ${P}sr ${P}none ${P}grp ${P}scope"
cleanup_users() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	[ -f "$TRASH/server2.pid" ] && kill "$(cat "$TRASH/server2.pid")" 2>/dev/null && sleep 0.2
	for u in $USERS; do userdel "$u" 2>/dev/null; done
	groupdel "${P}ops" 2>/dev/null
	[ -n "$SHARE" ] && rm -rf "$SHARE"
	return 0
}
trap 'cleanup_users; test_cleanup' EXIT

groupadd "${P}ops" || exit 1
for u in $USERS; do
	useradd -M -N -s /usr/sbin/nologin -d /nonexistent "$u" || exit 1
done
usermod -a -G "${P}ops" "${P}grp"

# where the users can reach: the trash directory may sit under a private TMPDIR
SHARE=$(mktemp -d /tmp/xsm-access.XXXXXX) || exit 1
chmod 755 "$SHARE"
STORE="$SHARE/srv/store"
SOCK="$SHARE/run/xsm.sock"
mkdir -p "$SHARE/srv" "$SHARE/run"
chown "$SVC" "$SHARE/srv" "$SHARE/run"
chmod 700 "$SHARE/srv"
chmod 755 "$SHARE/run"

# svc CMD...: the service account on its own store (direct access)
svc() { setpriv --reuid "$SVC" --regid "$(id -g "$SVC")" --init-groups env XSM_STORE="$STORE" "$XSM" "$@"; }
# as USER CMD...: a user, through the socket
as() { _u=$1; shift; setpriv --reuid "$_u" --regid "$(id -g "$_u")" --init-groups env XSM_STORE="$SOCK" "$XSM" "$@"; }
# raw USER CMD...: a user running anything, no xsm in between
raw() { _u=$1; shift; setpriv --reuid "$_u" --regid "$(id -g "$_u")" --init-groups "$@"; }

dev() { # dev NAME TAG [entry|dc]
	case "$3" in
	entry) props='"exposedToInternet":true' ;;
	dc) props='"deviceRole":["DomainController"]' ;;
	*) props='"osType":"linux"' ;;
	esac
	printf '{"type":"asset","label":"device","source_id":"t:%s","name":"%s","keys":{"fqdn":"%s.example.com"},"props":{%s,"tags":["%s"]}}\n' "$1" "$1" "$1" "$props" "$2"
	[ "$3" = entry ] && printf '{"type":"finding","asset":"t:%s","cve":"CVE-2024-3400","severity":"critical","cvss":10,"exploitAvailable":true,"rce":true}\n' "$1"
	return 0
}
edge() { printf '{"type":"relation","label":"routes traffic to","from":"t:%s","to":"t:%s"}\n' "$1" "$2"; }
{
	dev web01 london entry; dev app01 london; dev dc01 london dc; edge web01 app01; edge app01 dc01
	dev web02 paris entry; dev dc02 paris dc; edge web02 dc02
	# one FQDN, two serials: kept apart, each noting the other (notMergedWith)
	printf '{"type":"asset","label":"device","source_id":"t:ca","name":"confa","keys":{"fqdn":"shared.example.com","serial":"SA"},"props":{"tags":["paris"]}}\n'
	printf '{"type":"asset","label":"device","source_id":"t:cb","name":"confb","keys":{"fqdn":"shared.example.com","serial":"SB"},"props":{"tags":["london"]}}\n'
} >"$SHARE/recs.jsonl"
chmod 644 "$SHARE/recs.jsonl"
cp "$SHARE/recs.jsonl" recs.jsonl

test_expect_success 'the service account owns a store and serves it on a socket' '
	svc -q ingest --format records --source t "$SHARE/recs.jsonl" &&
	test "$(stat -c %U:%a "$STORE")" = "$SVC:700" &&
	{ setpriv --reuid "$SVC" --regid "$(id -g "$SVC")" --init-groups \
		env XSM_STORE="$STORE" "$XSM" serve --socket "$SOCK" 2>"$TRASH/server.log" &
	  echo $! >"$TRASH/server.pid"; } &&
	for i in 1 2 3 4 5 6 7 8 9 10; do test -S "$SOCK" && break; sleep 0.2; done &&
	test -S "$SOCK"
'
SERVER_PID=$(cat "$TRASH/server.pid" 2>/dev/null)

test_expect_success 'the owner grants a role to each user, one through a group' '
	for r in $ROLES; do svc -q access grant "${P}$(short $r)" $r || exit 1; done &&
	svc -q access grant "@${P}ops" security-operator &&
	svc -q access grant "${P}scope" security-reader --scope tag:paris &&
	as ${P}ga access list >list &&
	test_grep "^@${P}ops  *security-operator" list &&
	test_grep "${P}scope  *security-reader  *tag:paris" list
'

# row ACTION USER PROFILE: run the command of one row of the table as USER; 0 allowed, 77 denied
row() {
	_a=$1 _u=$2 _p=$3
	case "$_a" in
	access.grant) as $_u -q access grant "${P}nobody" security-reader ;;
	connect.manage) as $_u -q ingest --no-build --format records --source t - <recs.jsonl ;;
	connect.view) as $_u connect list >/dev/null && as $_u status >/dev/null ;;
	insights.target) as $_u -q insights target ransomware 70 ;;
	insights.weight) as $_u -q insights weight internet-facing-rce high ;;
	insights.recommendations) as $_u -q insights set devices-rce --state mitigated ;;
	insights.view) as $_u insights >/dev/null && as $_u events >/dev/null ;;
	critical.level) as $_u -q critical set web01 1 ;;
	critical.rule.edit) as $_u -q critical rule add "r-$_p-$_u" --asset device --level 2 --when "name ~ \"^zz\"" ;;
	critical.rule.toggle) as $_u -q critical rule level "Domain Controller" 0 ;;
	graph.query) as $_u graph nodes >/dev/null && as $_u paths list >/dev/null ;;
	esac
}
ACTIONS="access.grant connect.manage connect.view insights.target insights.weight insights.recommendations insights.view critical.level critical.rule.edit critical.rule.toggle graph.query"

# the observed matrix: one line an action, a column a role (GA GR SA SO SR, as the table)
matrix() {
	for a in $ACTIONS; do
		line=$a
		for r in $ROLES; do
			row $a "${P}$(short $r)" "$1" >/dev/null 2>"$TRASH/row.err"
			case $? in
			0) line="$line Y" ;;
			77) line="$line -" ;;
			*) line="$line ERR$?"; sed "s/^/# $a $r: /" "$TRASH/row.err" >&2 ;;
			esac
		done
		echo "$line"
	done
}

# the seed document's table (issue 21), exactly
cat >expect-seed <<EOF
access.grant Y - - - -
connect.manage Y - Y Y -
connect.view Y Y Y Y Y
insights.target Y - - - -
insights.weight Y - - - -
insights.recommendations Y - Y - -
insights.view Y Y Y Y Y
critical.level Y Y Y Y Y
critical.rule.edit Y - Y - -
critical.rule.toggle Y - Y Y -
graph.query Y Y Y Y Y
EOF
# the later revision (product-model 6.2): targets and weights to SA too, criticality to GA, SA, SO only
sed -e 's/^insights.target .*/insights.target Y - Y - -/' -e 's/^insights.weight .*/insights.weight Y - Y - -/' \
    -e 's/^critical.level .*/critical.level Y - Y Y -/' expect-seed >expect-later

test_expect_success 'seed profile: the observed matrix is the table, as real users through the socket' '
	matrix seed >observed-seed &&
	test_cmp expect-seed observed-seed
'

test_expect_success 'later profile, selected in the store: the observed matrix is the later table' '
	raw $SVC sh -c "printf \"access:\\n  profile: later\\n\" >\"$STORE/config.yaml\"" &&
	as ${P}ga access whoami >who && test_grep "profile later" who &&
	matrix later >observed-later &&
	test_cmp expect-later observed-later
'

test_expect_success 'store.socket: the store'"'"'s own directory, or no store named, reaches the server' '
	printf "store:\n  socket: %s\n" "$SOCK" >"$SHARE/system.yaml" && chmod 644 "$SHARE/system.yaml" &&
	raw ${P}gr env XSM_SYSTEM_CONFIG="$SHARE/system.yaml" XSM_STORE="$STORE" "$XSM" access whoami >who &&
	test_grep "^${P}gr on a served store" who &&
	raw ${P}gr env -u XSM_STORE XSM_SYSTEM_CONFIG="$SHARE/system.yaml" "$XSM" graph nodes >nodes &&
	test_grep web01 nodes &&
	raw $SVC env XSM_SYSTEM_CONFIG="$SHARE/system.yaml" XSM_STORE="$STORE" "$XSM" access whoami >who &&
	test_grep "^$SVC on the store directly (profile later): the store.s owner, every role" who
'

test_expect_success 'a denial exits 77 and names the roles the action needs' '
	test_expect_code 77 as ${P}sr critical rule add x --asset device --level 1 --when "name ~ \"^x\"" 2>err &&
	test_grep "denied: .critical rule add. needs Global Admin or Security Admin; ${P}sr has Security Reader" err &&
	test_expect_code 77 as ${P}none graph nodes 2>err &&
	test_grep "has no role" err
'

test_expect_success 'a group grant counts for its members; the owner holds every role' '
	as ${P}grp -q critical rule level "Domain Controller" 0 &&
	test_expect_code 77 as ${P}grp critical rule add y --asset device --level 1 --when "name ~ \"^y\"" &&
	as $SVC -q critical rule add "by-owner" --asset device --level 2 --when "name ~ \"^zz\"" &&
	as ${P}grp access whoami >who && test_grep "security-operator via @${P}ops" who
'

test_expect_success 'bypass: a low-role user cannot write the rule file directly' '
	raw $SVC cat "$STORE/rules/criticality.yaml" >rules-before &&
	! raw ${P}sr sh -c "echo \"custom: []\" >\"$STORE/rules/criticality.yaml\"" 2>/dev/null &&
	! raw ${P}sr sh -c "cat \"$STORE/rules/criticality.yaml\"" >/dev/null 2>&1 &&
	! raw ${P}sr sh -c "cat \"$STORE/connectors/\"*" >/dev/null 2>&1 &&
	raw $SVC cat "$STORE/rules/criticality.yaml" >rules-after &&
	test_cmp rules-before rules-after
'

test_expect_success 'bypass: libexposure called directly as a low-role user cannot open the store' '
	! raw ${P}sr env XSM_STORE="$STORE" "$XSM" critical rule add z --asset device --level 0 --when "name ~ \"^w\"" 2>err &&
	! raw ${P}sr env XSM_STORE="$STORE" "$XSM" graph nodes >out 2>&1 &&
	! grep -q web01 out &&
	raw $SVC cat "$STORE/rules/criticality.yaml" >rules-after &&
	test_cmp rules-before rules-after
'

# a program of a user's own, linked with libexposure: add a rule to the store it is given
cat >"$SHARE/addrule.c" <<'EOF'
#include <stdio.h>
#include <exposure.h>
int main(int argc, char **argv)
{
	xsm_ctx *ctx = NULL;
	xsm_config *cfg = NULL;
	xsm_store *st = NULL;
	xsm_rules *rules = NULL;
	int rc;
	if (argc < 3)
		return 2;
	xsm_ctx_new(&ctx);
	xsm_config_load(&cfg, ctx, NULL, NULL);
	xsm_config_set(cfg, "data.dir", argv[2], "test");
	xsm_ctx_set_config(ctx, cfg);
	if ((rc = xsm_store_open(&st, ctx, argv[1], XSM_STORE_WRITE)) < 0 || (rc = xsm_rules_load(&rules, st)) < 0 ||
	    (rc = xsm_rules_add(rules, "bypass", "device", 0, "name ~ \"^w\"", NULL)) < 0 ||
	    (rc = xsm_rules_save(rules, st)) < 0) {
		fprintf(stderr, "addrule: %s\n", xsm_ctx_errmsg(ctx));
		return 1;
	}
	printf("rule added\n");
	return 0;
}
EOF

test_expect_success 'bypass: a C program calling libexposure as a low-role user cannot change the store' '
	cc $XSM_SANITIZED -I"$XSM_TOP/include" -o "$SHARE/addrule" "$SHARE/addrule.c" -L"$BUILD/lib" -lexposure &&
	chmod 755 "$SHARE/addrule" &&
	mkdir -p "$SHARE/own" && chown $SVC "$SHARE/own" &&
	svc -q init "$SHARE/own/store" &&
	raw $SVC env LD_LIBRARY_PATH="$BUILD/lib" "$SHARE/addrule" "$SHARE/own/store" "$XSM_TOP/config" >out &&
	test_grep "rule added" out &&
	! raw ${P}sr env LD_LIBRARY_PATH="$BUILD/lib" "$SHARE/addrule" "$STORE" "$XSM_TOP/config" 2>err &&
	test_grep "addrule: " err &&
	raw $SVC cat "$STORE/rules/criticality.yaml" >rules-after &&
	test_cmp rules-before rules-after
'

# a client of one's own: sends ARGV... as the calling user, prints the answer's exit code
cat >"$SHARE/rawclient.py" <<'EOF'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
body = b"".join(a.encode() + b"\0" for a in sys.argv[2:])
s.sendmsg([b"XSM1" + struct.pack(">I", len(body)) + body],
          [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("3i", 0, 1, 2))])
resp = b""
while len(resp) < 8:
    chunk = s.recv(8 - len(resp))
    if not chunk:
        break
    resp += chunk
print(struct.unpack(">i", resp[4:8])[0] if len(resp) == 8 and resp[:4] == b"XSM1" else "no answer")
EOF
chmod 644 "$SHARE/rawclient.py"
# a python3 the users can run (root's own may live under /root)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
rawc() { _u=$1; shift; raw "$_u" "$PY" "$SHARE/rawclient.py" "$SOCK" "$@"; }

test_expect_success 'bypass: a hand-made request gets what the role allows, and no store or settings of its own' '
	rawc ${P}sr xsm critical rule add x --asset device --level 0 --when "name ~ \"^w\"" >code 2>err &&
	test "$(cat code)" = 77 &&
	rawc ${P}sr xsm --store "$STORE" graph nodes >code 2>err &&
	test "$(cat code)" = 64 && test_grep "does not pass to a served store" err &&
	rawc ${P}ga xsm -c data.dir=/tmp critical list >code 2>err &&
	test "$(cat code)" = 64 &&
	rawc ${P}ga xsm serve --socket /tmp/x >code 2>err &&
	test "$(cat code)" = 64 &&
	rawc ${P}sr xsm graph nodes >code 2>err &&
	head -1 code | grep -q NODEID && tail -1 code | grep -qx 0 &&
	raw $SVC cat "$STORE/rules/criticality.yaml" >rules-after &&
	test_cmp rules-before rules-after
'

test_expect_success 'bypass: the server never writes or reads a file a caller names' '
	test_expect_code 77 as ${P}ga graph export -o "$STORE/rules/criticality.yaml" 2>err &&
	test_grep "standard output" err &&
	test_expect_code 77 as ${P}ga ingest --format records --source t "$STORE/access.yaml" &&
	test_expect_code 77 as ${P}ga connect add servicenow sn --url https://sn.example.com --username u --password-file "$STORE/access.yaml" &&
	test_expect_code 64 as ${P}sr -c access.profile=nothing --store "$STORE" graph nodes >/dev/null 2>&1 || true &&
	raw $SVC cat "$STORE/rules/criticality.yaml" >rules-after &&
	test_cmp rules-before rules-after
'

OUT_OF_SCOPE="web01 app01 dc01 confb london"
SQ="'"
no_outside() { # FILE: no out-of-scope device in it
	for w in $OUT_OF_SCOPE; do
		if grep -q "$w" "$1"; then echo "out-of-scope '$w' in $1"; return 1; fi
	done
	return 0
}

test_expect_success 'scope (later profile): a scoped user sees only in-scope devices, in every output' '
	as ${P}scope graph nodes >o1 && test_grep web02 o1 && no_outside o1 &&
	as ${P}scope graph edges >o2 && no_outside o2 &&
	as ${P}scope --format=jsonl graph export >o3 && test_grep dc02 o3 && no_outside o3 &&
	as ${P}scope graph stats >o4 && no_outside o4 &&
	as ${P}scope critical list >o5 && test_grep dc02 o5 && no_outside o5 &&
	test_expect_code 66 as ${P}scope graph show dc01 >o6 2>err6 && test ! -s o6 && test_grep "no node" err6 &&
	as ${P}scope graph show dc02 >o7 && no_outside o7 &&
	as ${P}scope paths list >o8 && test_grep web02 o8 && no_outside o8 &&
	as ${P}scope --format=json paths summary >o9 && no_outside o9 &&
	as ${P}scope paths chokepoints >o10 && no_outside o10 &&
	{ as ${P}scope paths check --fail-on low >o11; test $? -le 1; } && no_outside o11 &&
	as ${P}scope insights metric show internet-facing-rce --assets >o12 && no_outside o12 &&
	as ${P}scope --format=json insights >o13 && no_outside o13 &&
	as ${P}scope paths blast-radius web02 >o14 && no_outside o14 &&
	as ${P}scope --format=jsonl events >o15 && no_outside o15 &&
	as ${P}ga paths list >all && test_grep web01 all &&
	as ${P}ga --format=jsonl graph nodes --where "name == \"confb\"" >cb &&
	cbid=$(sed -n "s/.*\"NodeId\":\"\([^\"]*\)\".*/\1/p" cb) && test -n "$cbid" &&
	as ${P}ga graph show confa >ga-show && test_grep "not merged with $cbid" ga-show &&
	as ${P}scope graph show confa >sc-show && ! grep -q "$cbid" sc-show && no_outside sc-show &&
	as ${P}scope --format=json graph show confa >sc-show.json && ! grep -q "$cbid" sc-show.json
'

test_expect_success 'scope (later profile): paths summary and status count the in-scope paths, not the build'"'"'s counts' '
	as ${P}ga --format=json paths summary >sum-all &&
	all=$(json_get sum-all "j[\"paths\"]") && test "$all" -gt 1 &&
	as ${P}scope --format=json paths summary >sum-sc &&
	test "$(json_get sum-sc "j[\"paths\"]")" = 1 &&
	test "$(json_get sum-sc "sum(j[\"by_risk\"].values())")" = 1 &&
	test "$(json_get sum-sc "[t[\"name\"] for t in j[\"top_targets\"]]")" = "[${SQ}dc02${SQ}]" &&
	test "$(json_get sum-sc "[t[\"name\"] for t in j[\"top_entry_points\"]]")" = "[${SQ}web02${SQ}]" &&
	test "$(json_get sum-sc "j[\"chokepoints\"][\"chokepoints\"]")" = "[]" &&
	as ${P}scope paths summary >sum-sc.txt && head -1 sum-sc.txt >first &&
	test_grep ": 1 (critical 1, high 0, medium 0, low 0)$" first &&
	as ${P}scope --format=json status >st-sc &&
	test "$(json_get st-sc "j[\"attack_paths\"][\"total\"]")" = 1 &&
	as ${P}ga --format=json status >st-all &&
	test "$(json_get st-all "j[\"attack_paths\"][\"total\"]")" = "$all"
'

test_expect_success 'scope (seed profile): no attack paths at all; scores still shown' '
	raw $SVC sh -c "rm -f \"$STORE/config.yaml\"" &&
	test_expect_code 77 as ${P}scope paths list 2>err &&
	test_grep "attack paths need a role without a scope" err &&
	test_expect_code 77 as ${P}scope paths check --fail-on low &&
	as ${P}scope insights >o1 && test_grep Ransomware o1 && no_outside o1 &&
	as ${P}scope graph nodes >o2 && no_outside o2 &&
	test_expect_code 77 as ${P}scope critical set web02 1 2>err &&
	test_grep "without a scope" err &&
	as ${P}ga --format=jsonl events >ev-all && test_grep "\"kind\":\"node\"" ev-all &&
	as ${P}scope --format=jsonl events >ev && no_outside ev &&
	! grep -q "\"kind\":\"path\"" ev
'

test_expect_success 'report and insights export through the server: to standard output; a scoped caller gets no report' '
	as ${P}sr report >page.html && head -1 page.html | grep -q "^<!DOCTYPE html>$" &&
	test_grep "id=\"attack-paths\"" page.html &&
	test_expect_code 77 as ${P}sr report -o page2.html 2>err &&
	test_grep "refused on a served store: an output file would be written by the server" err &&
	test ! -e page2.html &&
	as ${P}sr insights export ransomware >rw.pdf && head -c 5 rw.pdf | grep -q "^%PDF-" &&
	test_expect_code 77 as ${P}scope report >scoped.html 2>err &&
	test_grep "names devices of every scope" err && test ! -s scoped.html
'

test_expect_success 'the audit log records every change, by the caller, and never a secret' '
	printf "s3cr3t-PASSW0RD\n" | as ${P}sa -q connect add servicenow cmdb --url https://sn.example.com --username u --password-stdin &&
	as ${P}ga --format=jsonl audit >audit.jsonl &&
	! grep -q s3cr3t audit.jsonl &&
	! raw $SVC grep -rq s3cr3t "$STORE/audit.jsonl" &&
	test_grep "\"user\":\"${P}sa\",\"action\":\"connect.add\",\"target\":\"cmdb\"" audit.jsonl &&
	test_grep "\"user\":\"$SVC\",\"action\":\"access.grant\",\"target\":\"${P}scope\".*\"after\":\"security-reader (scope tag:paris)\"" audit.jsonl &&
	for u in ga sa; do
		test_grep "\"user\":\"${P}$u\",\"action\":\"rule add\"" audit.jsonl || exit 1
	done &&
	for u in ga gr sa so sr; do
		test_grep "\"user\":\"${P}$u\",\"action\":\"set level\"" audit.jsonl || exit 1
	done &&
	test_grep "\"user\":\"${P}ga\",\"action\":\"set target\"" audit.jsonl &&
	test_grep "\"user\":\"${P}sa\",\"action\":\"set target\"" audit.jsonl &&
	test_grep "\"user\":\"${P}sa\",\"action\":\"set metric\"" audit.jsonl &&
	test_grep "\"user\":\"${P}ga\",\"action\":\"access.grant\",\"target\":\"${P}nobody\"" audit.jsonl &&
	! grep -q "\"user\":\"${P}sr\",\"action\":\"rule add\"" audit.jsonl &&
	test_grep "\"user\":\"${P}ga\",\"action\":\"set level\",\"target\":\"dev-[0-9a-f]*\",\"detail\":null,\"before\":\"\",\"after\":\"1\"" audit.jsonl &&
	test_grep "\"action\":\"rule level\",\"target\":\"Domain Controller\",\"detail\":null,\"before\":\"device level [0-9] on when .*\",\"after\":\"device level 0 on when " audit.jsonl &&
	test_grep "\"action\":\"set target\",\"target\":\"ransomware\",\"detail\":null,\"before\":\"80\",\"after\":\"70\"" audit.jsonl &&
	test_grep "\"action\":\"set metric\",\"target\":\"devices-rce\",\"detail\":null,\"before\":\"state active, weight [a-z]*\",\"after\":\"state mitigated\"" audit.jsonl &&
	as ${P}ga audit --user ${P}so --since 7d >so && test_grep "set level" so && ! grep -q "${P}sa" so
'

test_expect_success 'the client hands its descriptors to no socket in a directory others can write' '
	mkdir -p "$SHARE/open" && chmod 1777 "$SHARE/open" &&
	{ setpriv --reuid "$SVC" --regid "$(id -g "$SVC")" --init-groups \
		env XSM_STORE="$STORE" "$XSM" -q serve --socket "$SHARE/open/xsm.sock" &
	  echo $! >"$TRASH/server2.pid"; } &&
	for i in 1 2 3 4 5 6 7 8 9 10; do test -S "$SHARE/open/xsm.sock" && break; sleep 0.2; done &&
	if test_expect_code 77 raw ${P}ga env XSM_STORE="$SHARE/open/xsm.sock" "$XSM" graph nodes >out 2>err; then rc=0; else rc=1; fi &&
	kill $(cat "$TRASH/server2.pid") && rm -f "$TRASH/server2.pid" && test $rc = 0 &&
	test_grep "refusing the store server" err && ! test -s out
'

test_expect_success 'the server stops on SIGTERM and removes its socket' '
	kill $SERVER_PID && for i in 1 2 3 4 5 6 7 8 9 10; do test -S "$SOCK" || break; sleep 0.2; done &&
	! test -S "$SOCK" &&
	test_must_fail as ${P}ga graph nodes 2>err
'
SERVER_PID=

test_done

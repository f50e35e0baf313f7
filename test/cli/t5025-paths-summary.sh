#!/bin/sh
test_description='paths summary and status from the counts paths.bin.zst keeps: no record read, the same bytes as counted from every path, nodes that share a name counted as one, a damaged summary refused'
. "$(dirname "$0")/../lib/test-lib.sh"

# dev ID NAME [rce|xploit|dc|high]: a device; two may share a NAME
dev() {
	case "$3" in
	rce | xploit) props='"exposedToInternet":true' ;;
	dc) props='"deviceRole":["DomainController"]' ;;
	high) props='"vendorCriticality":"high"' ;;
	*) props='"osType":"linux"' ;;
	esac
	printf '{"type":"asset","label":"device","source_id":"t:%s","name":"%s","keys":{"fqdn":"%s.example.com"},"props":{%s}}\n' "$1" "$2" "$1" "$props"
	case "$3" in
	rce) printf '{"type":"finding","asset":"t:%s","cve":"CVE-2024-3400","severity":"critical","cvss":10,"exploitAvailable":true,"rce":true}\n' "$1" ;;
	xploit) printf '{"type":"finding","asset":"t:%s","cve":"CVE-2024-0001","severity":"high","cvss":8,"exploitAvailable":true}\n' "$1" ;;
	esac
	return 0
}
edge() { printf '{"type":"relation","label":"routes traffic to","from":"t:%s","to":"t:%s"}\n' "$1" "$2"; }
# records read, from the -v line
reads() { sed -n "s/^xsm: paths: \([0-9]*\) of [0-9]* path records read$/\1/p" "$1"; }
pstore() { python3 "$XSM_TOP/test/lib/pstore.py" "$@"; }
snap() { echo "$XSM_STORE/graph/$(cat "$XSM_STORE/graph/HEAD")"; }

XSM_STORE="$TRASH/store"
export XSM_STORE

# two entry points named gate, two targets named vault; solo and xploit tie
test_expect_success 'the summary reads no record; nodes that share a name are counted as one, ties by name' '
	{
		dev g1 gate rce; dev g2 gate rce; dev s1 solo rce; dev x1 xploit xploit; dev hub hub
		dev t1 vault dc; dev t2 vault high; dev t3 keep dc
		for e in g1 g2 s1 x1; do edge $e hub; done
		for t in t1 t2 t3; do edge hub $t; done
		edge g1 t3
	} >recs.jsonl &&
	xsm -q ingest --format records --source t recs.jsonl &&
	xsm -v paths summary >summary 2>err &&
	test "$(reads err)" = 0 &&
	sed -n "/^top scenarios/,/^top choke/p" summary >lists &&
	cat >want <<-\EOF &&
	top scenarios:
	  6  internet-facing device with RCE -> Domain Controller
	  3  internet-facing device with RCE -> Vendor criticality high (device)
	  2  internet-facing device with exploitable vulnerability -> Domain Controller
	  1  internet-facing device with exploitable vulnerability -> Vendor criticality high (device)

	top targets:
	  8  vault
	  4  keep

	top entry points:
	  6  gate
	  3  solo
	  3  xploit

	top choke points:
	EOF
	test_cmp want lists &&
	head -1 summary >first && test_grep "12 (critical 11, high 1, medium 0, low 0)$" first &&
	xsm -v --format=json paths summary >summary.json 2>err &&
	test "$(reads err)" = 0 &&
	xsm -v --format=jsonl paths summary >summary.jsonl 2>err &&
	test "$(reads err)" = 0 && test_cmp summary.json summary.jsonl &&
	xsm -v status >status 2>err &&
	test "$(reads err)" = 0 &&
	test_grep "^attack paths: 12 (critical 11, high 1, medium 0, low 0)$" status &&
	# choke points are stored whole: their table and document read no path either
	xsm -v paths chokepoints >/dev/null 2>err &&
	test "$(reads err)" = 0 &&
	xsm -v --format=json paths chokepoints >chokes.json 2>err &&
	test "$(reads err)" = 0 &&
	{ cat "$XSM_STORE/graph/$(cat "$XSM_STORE/graph/HEAD")/chokepoints.json" && echo; } >want.json &&
	test_cmp want.json chokes.json
'

test_expect_success 'the same bytes as the summary counted from every path (paths stored as text)' '
	snap=$(snap) &&
	xsm --format=jsonl paths list >listed &&
	test "$(wc -l <listed)" = 12 &&
	mv "$snap/paths.bin.zst" saved.zst &&
	cp listed "$snap/paths.jsonl" &&
	xsm paths summary >summary.text && test_cmp summary summary.text &&
	xsm --format=json paths summary >summary.text.json && test_cmp summary.json summary.text.json &&
	xsm status >status.text && grep "^attack paths" status.text >got && grep "^attack paths" status >want &&
	test_cmp want got &&
	rm "$snap/paths.jsonl" && mv saved.zst "$snap/paths.bin.zst"
'

if command -v zstd >/dev/null; then
test_expect_success 'a version 1 paths.bin.zst (no summary): counted from every record, the same bytes' '
	snap=$(snap) &&
	cp "$snap/paths.bin.zst" saved.zst &&
	pstore v1 "$snap/paths.bin.zst" &&
	xsm -v paths summary >summary.v1 2>err && test_cmp summary summary.v1 &&
	test "$(reads err)" = 12 &&
	xsm --format=json paths summary >summary.v1.json && test_cmp summary.json summary.v1.json &&
	xsm status >status.v1 && grep "^attack paths" status.v1 >got && grep "^attack paths" status >want &&
	test_cmp want got &&
	xsm --format=jsonl paths list >listed.v1 && test_cmp listed listed.v1 &&
	cp saved.zst "$snap/paths.bin.zst"
'

test_expect_success 'a summary that does not add up is refused, naming the file' '
	snap=$(snap) &&
	pstore miscount "$snap/paths.bin.zst" &&
	test_expect_code 65 xsm paths summary >out 2>err &&
	test_grep "paths.bin.zst. is damaged (a summary that does not add up to the paths)" err &&
	test ! -s out &&
	xsm --format=jsonl paths list >listed.bad && test_cmp listed listed.bad &&
	cp saved.zst "$snap/paths.bin.zst"
'
else
test_skip 'a version 1 paths.bin.zst (no summary): counted from every record, the same bytes' 'no zstd'
test_skip 'a summary that does not add up is refused, naming the file' 'no zstd'
fi

test_expect_success 'a summary whose frame does not decompress is refused, naming the file; the paths still read' '
	snap=$(snap) &&
	pstore frame "$snap/paths.bin.zst" &&
	test_expect_code 65 xsm --format=json paths summary >out 2>err &&
	test_grep "paths.bin.zst. is damaged (a frame does not decompress)" err &&
	test ! -s out &&
	xsm --format=jsonl paths list >listed.bad && test_cmp listed listed.bad &&
	cp saved.zst "$snap/paths.bin.zst" &&
	xsm paths summary >again && test_cmp summary again
'

test_done

/*
 * gen.c - xsm-gen: a seeded synthetic enterprise, written as record files
 * (one per source) for the benchmarks.  Same seed and size, same bytes.
 *
 *   xsm-gen [--seed N] [--assets N] [--out DIR]
 *   xsm-gen --shape ad [--seed N] [--users N] [--groups N] [--out DIR]
 *   xsm-gen --shape paths [--seed N] [--identities N] [--edges M] [--targets T] [--entries E] [--out DIR]
 *
 * The enterprise shape (the default; fractions of --assets): 60% devices
 * (servers and workstations; one domain controller per 5,000 assets, at
 * least 2; ~0.13% given vendorCriticality high), 25% users, 3% groups, 2%
 * service principals, 10% cloud resources.  Every device is in the CMDB;
 * 70% are seen by Qualys (FQDN upper-case with a trailing dot), 50% by
 * Tenable (short name, MAC in dash form), Windows ones by Defender
 * (mde_id): identity resolution has real work.  Findings: 8 per scanned
 * device on average from a pool of 3,000 CVEs (5% critical, 20% high, 50%
 * medium, 25% low; 10% of critical/high exploitable, half of those
 * RCE).  2% of devices are internet-facing, most with an RCE: about 1% of
 * assets are entry points.  Relations: member of, frequently logged in by,
 * can authenticate to, CanRemoteInteractiveLogonTo, has credentials of,
 * has permissions to, routes traffic to: with the findings, about 10 edges
 * per asset.
 *
 * The ad shape: a long-lived Active Directory, one source "ad" (ad.jsonl),
 * --users N (default 100,000) and --groups M (default 5,000).  Users
 * (ad:uI; keys sid, upn; 2% disabled, 0.2% with leaked credentials) are
 * each "member of" "Domain Users" and of 1-3 random bulk groups.  The
 * bulk groups (ad:gJ, "Group NNNNNNN"; key sid) have 0-3 parents among
 * the bulk groups (probabilities 0.2/0.5/0.2/0.1, mean 1.2; cycles
 * allowed, no self-loops), so most users reach a large strongly connected
 * tangle of groups.  The first 23 groups are named and nested as in the
 * table wk[] below, never under a bulk group nor above one, so that tier 0
 * stays small: "Domain Users" (in "Users"), "Administrators", "Domain
 * Admins" and "Enterprise Admins" (both in Administrators), "Backup
 * Operators", "Server Operators", "Account Operators", a chain "T0 Admins
 * L1".."T0 Admins L6" six levels below Domain Admins with a cycle L2 ->
 * "T0 Loop" -> L4 -> L3 -> L2, "IT Admins" (in Server Operators) with
 * "Server Admins" and "Workstation Admins", "Backup Admins" (in Backup
 * Operators), "Helpdesk" (in Account Operators; assignedRoles "Helpdesk
 * Administrator") with "Helpdesk Tier 1" and "Helpdesk Tier 2" (assignedRoles
 * "Password Administrator"), and "Cloud Global Admins" (assignedRoles
 * "Global Administrator"; L6 is in it too).  Each named group has t, 2t or
 * 4t random direct user members, t = 2 + users / 25,000.  Devices (ad:cK;
 * keys hostname, fqdn), one per 10 users: one domain controller per 5,000
 * devices (at least 2), 20% servers, the rest workstations; each is
 * "frequently logged in by" 1-3 users (domain controllers by members of
 * L6, so they are Domain Admin devices through the chain).  Admin groups
 * reach a bounded number of devices: Domain Admins
 * CanRemoteInteractiveLogonTo every domain controller, Server Admins 200
 * servers; "can authenticate to": IT Admins 100 servers, Workstation
 * Admins 500 and Helpdesk Tier 1 300 workstations.  test/bench/ad_truth.py
 * computes the true memberships from the file.
 *
 * The paths shape: the breadth of the attack path search alone, one source
 * "iam" (iam.jsonl).  --identities N users (default 1,000,000; iam:uI, key
 * upn), joined by --edges M "can authenticate as" relations (default 10 N),
 * the one walkable label used, so every edge is a hop.  Degree is skewed:
 * one edge in 5 goes into one of N / 1000 hubs (users 0, 1000, 2000, ...);
 * the others leave a source drawn with density falling as 1 / sqrt(i) and
 * go to a uniform user, so low-numbered users have many out-edges.  --targets
 * T users (default 1,000) hold the Entra role "Global Administrator" (level 0,
 * a target) and --entries E (default 10,000) have leaked credentials (an
 * entry point), both spread over the id range away from the hubs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t rng;

static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? next() % n : 0;
}

static int chance(unsigned per_mille)
{
	return below(1000) < per_mille;
}

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s.jsonl", dir, name);
	if (!(f = fopen(path, "w"))) {
		fprintf(stderr, "xsm-gen: cannot create '%s': %s\n", path, strerror(errno));
		exit(73);
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

static void usage(void)
{
	fprintf(stderr, "usage: xsm-gen [--seed N] [--assets N] [--out DIR]\n"
			"       xsm-gen --shape ad [--seed N] [--users N] [--groups N] [--out DIR]\n"
			"       xsm-gen --shape paths [--seed N] [--identities N] [--edges M] [--targets T] [--entries E] [--out DIR]\n");
	exit(64);
}

static int gen_enterprise(const char *out, unsigned long long seed, unsigned long long assets)
{
	uint64_t ndev, nuser, ngroup, nsp, ncloud, i, k, ndc, findings = 0, relations = 0;
	FILE *cmdb, *qualys, *tenable, *defender, *entra, *cloud;
	static const char *sev[] = { "critical", "high", "medium", "low" };

	rng = seed * 0x2545f4914f6cdd1dULL + 1;
	ndev = assets * 60 / 100;
	nuser = assets * 25 / 100;
	ngroup = assets * 3 / 100;
	nsp = assets * 2 / 100;
	ncloud = assets - ndev - nuser - ngroup - nsp;
	ndc = assets / 5000 < 2 ? 2 : assets / 5000;
	cmdb = open_out(out, "cmdb");
	qualys = open_out(out, "qualys");
	tenable = open_out(out, "tenable");
	defender = open_out(out, "defender");
	entra = open_out(out, "entra");
	cloud = open_out(out, "cloud");

	for (i = 0; i < ndev; i++) {
		int win = !chance(300), dc = i < ndc, exposed = !dc && chance(20), high = !dc && chance(1);
		unsigned ip1 = (unsigned)(i >> 16 & 255), ip2 = (unsigned)(i >> 8 & 255), ip3 = (unsigned)(i & 255);
		unsigned m1 = (unsigned)(i >> 16 & 255), m2 = (unsigned)(i >> 8 & 255), m3 = (unsigned)(i & 255);
		const char *os = win ? "windows" : "linux";
		fprintf(cmdb,
			"{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"cmdb:d%llu\",\"name\":\"HOST%07llu\","
			"\"keys\":{\"hostname\":\"HOST%07llu\",\"fqdn\":\"host%07llu.corp.example.com\",\"serial\":\"SN%llx\","
			"\"ipv4\":[\"10.%u.%u.%u\"],\"mac\":[\"02:00:00:%02x:%02x:%02x\"]},\"categories\":[\"device\"],"
			"\"props\":{\"osType\":\"%s\",\"cmdbClass\":\"cmdb_ci_%s_server\",\"lastSeen\":\"2026-11-20T00:00:00Z\"%s%s}}\n",
			(unsigned long long)i, (unsigned long long)i, (unsigned long long)i, (unsigned long long)i,
			(unsigned long long)(i * 2654435761ULL), ip1, ip2, ip3, m1, m2, m3, os, win ? "win" : "linux",
			dc ? ",\"deviceRole\":[\"DomainController\"],\"services\":[\"ldap\",\"kerberos\"]" : "",
			high ? ",\"vendorCriticality\":\"high\"" : "");
		if (chance(700) || exposed) {
			fprintf(qualys,
				"{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"qualys:%llu\",\"name\":\"HOST%07llu.CORP.EXAMPLE.COM.\","
				"\"keys\":{\"fqdn\":\"HOST%07llu.CORP.EXAMPLE.COM.\",\"ipv4\":[\"10.%u.%u.%u\"]},"
				"\"props\":{\"osType\":\"%s\",\"lastSeen\":\"2026-11-23T00:00:00Z\",\"exposedToInternet\":%s}}\n",
				(unsigned long long)(1000000 + i), (unsigned long long)i, (unsigned long long)i, ip1, ip2, ip3, os,
				exposed ? "true" : "false");
			/* findings: 8 on average; exposed hosts mostly carry an RCE */
			for (k = below(23); k > 0; k--) {
				uint64_t cve = below(3000);
				int s = cve < 150 ? 0 : cve < 750 ? 1 : cve < 2250 ? 2 : 3;
				int ex = s <= 1 && cve % 10 == 0, rce = ex && cve % 20 == 0;
				fprintf(qualys,
					"{\"type\":\"finding\",\"asset\":\"qualys:%llu\",\"cve\":\"CVE-2024-%05llu\",\"severity\":\"%s\","
					"\"cvss\":%.1f,\"exploitAvailable\":%s,\"rce\":%s,\"status\":\"open\",\"firstFound\":\"2026-10-01T00:00:00Z\"}\n",
					(unsigned long long)(1000000 + i), (unsigned long long)(10000 + cve), sev[s],
					s == 0 ? 9.8 : s == 1 ? 7.5 : s == 2 ? 5.3 : 2.1, ex ? "true" : "false", rce ? "true" : "false");
				findings++;
			}
			if (exposed && chance(850)) {
				fprintf(qualys,
					"{\"type\":\"finding\",\"asset\":\"qualys:%llu\",\"cve\":\"CVE-2024-00001\",\"severity\":\"critical\","
					"\"cvss\":10.0,\"exploitAvailable\":true,\"rce\":true,\"status\":\"open\"}\n",
					(unsigned long long)(1000000 + i));
				findings++;
			}
		}
		if (chance(500))
			fprintf(tenable,
				"{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"tenable:t%llu\",\"name\":\"host%07llu\","
				"\"keys\":{\"hostname\":\"host%07llu\",\"ipv4\":[\"10.%u.%u.%u\"],\"mac\":[\"02-00-00-%02X-%02X-%02X\"]},"
				"\"props\":{\"lastSeen\":\"2026-11-22T00:00:00Z\"}}\n",
				(unsigned long long)i, (unsigned long long)i, (unsigned long long)i, ip1, ip2, ip3, m1, m2, m3);
		if (win && chance(600))
			fprintf(defender,
				"{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"defender:m%llx\",\"name\":\"host%07llu.corp.example.com\","
				"\"keys\":{\"fqdn\":\"host%07llu.corp.example.com\",\"mde_id\":\"m%llx\"},"
				"\"props\":{\"osType\":\"windows\",\"lastSeen\":\"2026-11-24T00:00:00Z\"}}\n",
				(unsigned long long)(i * 11400714819323198485ULL), (unsigned long long)i, (unsigned long long)i,
				(unsigned long long)(i * 11400714819323198485ULL));
	}
	for (i = 0; i < ngroup; i++)
		fprintf(entra, "{\"type\":\"asset\",\"label\":\"group\",\"source_id\":\"entra:g%llu\",\"name\":\"%s%llu\",\"keys\":{\"aad_object_id\":\"g-%llu\"}}\n",
			(unsigned long long)i, i == 0 ? "Domain Admins" : "Group ", (unsigned long long)(i ? i : 0), (unsigned long long)i);
	for (i = 0; i < nuser; i++) {
		fprintf(entra,
			"{\"type\":\"asset\",\"label\":\"user\",\"source_id\":\"entra:u%llu\",\"name\":\"user%07llu\","
			"\"keys\":{\"upn\":\"user%07llu@corp.example.com\",\"aad_object_id\":\"u-%llu\"},"
			"\"props\":{\"accountEnabled\":true%s}}\n",
			(unsigned long long)i, (unsigned long long)i, (unsigned long long)i, (unsigned long long)i,
			chance(2) ? ",\"hasLeakedCredentials\":true" : "");
		for (k = 0; k < 3; k++) {
			/* a few admins sit in Domain Admins (group 0) */
			uint64_t gi = chance(1) && k == 0 ? 0 : 1 + below(ngroup - 1);
			fprintf(entra, "{\"type\":\"relation\",\"label\":\"member of\",\"from\":\"entra:u%llu\",\"to\":\"entra:g%llu\"}\n",
				(unsigned long long)i, (unsigned long long)gi);
			relations++;
		}
	}
	for (i = 0; i < nsp; i++)
		fprintf(entra, "{\"type\":\"asset\",\"label\":\"serviceprincipal\",\"source_id\":\"entra:s%llu\",\"name\":\"app-%llu\",\"keys\":{\"aad_object_id\":\"s-%llu\"}}\n",
			(unsigned long long)i, (unsigned long long)i, (unsigned long long)i);
	for (i = 0; i < ncloud; i++) {
		static const char *kinds[] = { "microsoft.keyvault/vaults", "microsoft.sql/servers/databases",
					       "microsoft.storage/storageaccounts", "microsoft.containerservice/managedclusters" };
		int kd = (int)below(4);
		fprintf(cloud,
			"{\"type\":\"asset\",\"label\":\"%s\",\"source_id\":\"cloud:r%llu\",\"name\":\"res%llu\",\"keys\":{\"cloud_id\":\"/subscriptions/s/r/%llu\"},"
			"\"props\":{%s}}\n",
			kinds[kd], (unsigned long long)i, (unsigned long long)i, (unsigned long long)i,
			kd == 0 ? "\"connectedIdentities\":3" : kd == 1 ? (chance(20) ? "\"containsSensitiveData\":true" : "\"containsSensitiveData\":false")
				: kd == 3 ? "\"nodeCount\":1" : "\"publicAccess\":false");
	}
	/* relations among devices and identities, from the CMDB and Defender */
	for (i = 0; i < ndev; i++) {
		fprintf(defender, "{\"type\":\"relation\",\"label\":\"frequently logged in by\",\"from\":\"cmdb:d%llu\",\"to\":\"entra:u%llu\"}\n",
			(unsigned long long)i, (unsigned long long)below(nuser));
		for (k = 0; k < 2; k++)
			fprintf(cmdb, "{\"type\":\"relation\",\"label\":\"routes traffic to\",\"from\":\"cmdb:d%llu\",\"to\":\"cmdb:d%llu\"}\n",
				(unsigned long long)i, (unsigned long long)below(ndev));
		fprintf(entra, "{\"type\":\"relation\",\"label\":\"can authenticate to\",\"from\":\"entra:g%llu\",\"to\":\"cmdb:d%llu\"}\n",
			(unsigned long long)(1 + below(ngroup - 1)), (unsigned long long)i);
		relations += 4;
		if (chance(100)) {
			fprintf(defender, "{\"type\":\"relation\",\"label\":\"has credentials of\",\"from\":\"cmdb:d%llu\",\"to\":\"entra:u%llu\"}\n",
				(unsigned long long)i, (unsigned long long)below(nuser));
			relations++;
		}
	}
	for (i = 0; i < ndc; i++) {
		fprintf(entra, "{\"type\":\"relation\",\"label\":\"CanRemoteInteractiveLogonTo\",\"from\":\"entra:g0\",\"to\":\"cmdb:d%llu\"}\n",
			(unsigned long long)i);
		relations++;
	}
	for (i = 0; i < ncloud; i++) {
		fprintf(cloud, "{\"type\":\"relation\",\"label\":\"has permissions to\",\"from\":\"entra:s%llu\",\"to\":\"cloud:r%llu\"}\n",
			(unsigned long long)below(nsp), (unsigned long long)i);
		relations++;
	}
	if (fclose(cmdb) || fclose(qualys) || fclose(tenable) || fclose(defender) || fclose(entra) || fclose(cloud)) {
		fprintf(stderr, "xsm-gen: write error: %s\n", strerror(errno));
		return 74;
	}
	fprintf(stderr, "xsm-gen: seed %llu: %llu devices (%llu domain controllers), %llu users, %llu groups, %llu service principals, "
		"%llu cloud resources, %llu findings, %llu relations\n",
		seed, (unsigned long long)ndev, (unsigned long long)ndc, (unsigned long long)nuser, (unsigned long long)ngroup,
		(unsigned long long)nsp, (unsigned long long)ncloud, (unsigned long long)findings, (unsigned long long)relations);
	return 0;
}

/* --- the ad shape ------------------------------------------------------------ */

#define AD_DOMAIN "S-1-5-21-3623811015-3361044348-30300820"

enum {
	G_DOMAIN_USERS, G_USERS, G_ADMINISTRATORS, G_DOMAIN_ADMINS, G_ENTERPRISE_ADMINS,
	G_BACKUP_OPERATORS, G_SERVER_OPERATORS, G_ACCOUNT_OPERATORS,
	G_T0_L1, G_T0_L2, G_T0_L3, G_T0_L4, G_T0_L5, G_T0_L6, G_T0_LOOP,
	G_IT_ADMINS, G_SERVER_ADMINS, G_WORKSTATION_ADMINS, G_BACKUP_ADMINS,
	G_HELPDESK, G_HELPDESK_T1, G_HELPDESK_T2, G_CLOUD_GLOBAL_ADMINS,
	G_WELL_KNOWN
};

/* The named groups: their place in the tier-0 nesting is the point of the
 * shape, so it is spelled out here rather than drawn at random.  members is
 * the number of direct user members in units of t (2 + users / 25,000). */
static const struct {
	const char *name, *sid, *roles;
	int parent[2];  /* -1: none */
	unsigned members;
} wk[G_WELL_KNOWN] = {
	[G_DOMAIN_USERS] = { "Domain Users", AD_DOMAIN "-513", NULL, { G_USERS, -1 }, 0 },
	[G_USERS] = { "Users", "S-1-5-32-545", NULL, { -1, -1 }, 0 },
	[G_ADMINISTRATORS] = { "Administrators", "S-1-5-32-544", NULL, { -1, -1 }, 1 },
	[G_DOMAIN_ADMINS] = { "Domain Admins", AD_DOMAIN "-512", NULL, { G_ADMINISTRATORS, -1 }, 1 },
	[G_ENTERPRISE_ADMINS] = { "Enterprise Admins", AD_DOMAIN "-519", NULL, { G_ADMINISTRATORS, -1 }, 1 },
	[G_BACKUP_OPERATORS] = { "Backup Operators", "S-1-5-32-551", NULL, { -1, -1 }, 1 },
	[G_SERVER_OPERATORS] = { "Server Operators", "S-1-5-32-549", NULL, { -1, -1 }, 1 },
	[G_ACCOUNT_OPERATORS] = { "Account Operators", "S-1-5-32-548", NULL, { -1, -1 }, 1 },
	/* six levels below Domain Admins; L2 -> T0 Loop -> L4 -> L3 -> L2 is a cycle */
	[G_T0_L1] = { "T0 Admins L1", AD_DOMAIN "-1101", NULL, { G_DOMAIN_ADMINS, -1 }, 1 },
	[G_T0_L2] = { "T0 Admins L2", AD_DOMAIN "-1102", NULL, { G_T0_L1, G_T0_LOOP }, 1 },
	[G_T0_L3] = { "T0 Admins L3", AD_DOMAIN "-1103", NULL, { G_T0_L2, -1 }, 1 },
	[G_T0_L4] = { "T0 Admins L4", AD_DOMAIN "-1104", NULL, { G_T0_L3, -1 }, 1 },
	[G_T0_L5] = { "T0 Admins L5", AD_DOMAIN "-1105", NULL, { G_T0_L4, -1 }, 1 },
	[G_T0_L6] = { "T0 Admins L6", AD_DOMAIN "-1106", NULL, { G_T0_L5, G_CLOUD_GLOBAL_ADMINS }, 1 },
	[G_T0_LOOP] = { "T0 Loop", AD_DOMAIN "-1107", NULL, { G_T0_L4, -1 }, 1 },
	[G_IT_ADMINS] = { "IT Admins", AD_DOMAIN "-1108", NULL, { G_SERVER_OPERATORS, -1 }, 2 },
	[G_SERVER_ADMINS] = { "Server Admins", AD_DOMAIN "-1109", NULL, { G_IT_ADMINS, -1 }, 2 },
	[G_WORKSTATION_ADMINS] = { "Workstation Admins", AD_DOMAIN "-1110", NULL, { G_IT_ADMINS, -1 }, 2 },
	[G_BACKUP_ADMINS] = { "Backup Admins", AD_DOMAIN "-1111", NULL, { G_BACKUP_OPERATORS, -1 }, 1 },
	[G_HELPDESK] = { "Helpdesk", AD_DOMAIN "-1112", "Helpdesk Administrator", { G_ACCOUNT_OPERATORS, -1 }, 4 },
	[G_HELPDESK_T1] = { "Helpdesk Tier 1", AD_DOMAIN "-1113", NULL, { G_HELPDESK, -1 }, 4 },
	[G_HELPDESK_T2] = { "Helpdesk Tier 2", AD_DOMAIN "-1114", "Password Administrator", { G_HELPDESK, -1 }, 4 },
	[G_CLOUD_GLOBAL_ADMINS] = { "Cloud Global Admins", AD_DOMAIN "-1115", "Global Administrator", { -1, -1 }, 1 },
};

static uint64_t ad_relations;

static void ad_rel(FILE *f, const char *label, char from, uint64_t a, char to, uint64_t b)
{
	fprintf(f, "{\"type\":\"relation\",\"label\":\"%s\",\"from\":\"ad:%c%llu\",\"to\":\"ad:%c%llu\"}\n", label, from,
		(unsigned long long)a, to, (unsigned long long)b);
	ad_relations++;
}

/* k distinct values in [lo, lo + n) into v (k <= n) */
static void pick_distinct(uint64_t *v, uint64_t k, uint64_t lo, uint64_t n)
{
	for (uint64_t i = 0; i < k; i++) {
		uint64_t j;
		do {
			v[i] = lo + below(n);
			for (j = 0; j < i && v[j] != v[i]; j++)
				;
		} while (j < i);
	}
}

/* the cnt devices of [lo, lo + n) spread evenly, to a bounded number of devices */
static void ad_admin_to(FILE *f, const char *label, uint64_t group, uint64_t lo, uint64_t n, uint64_t cnt)
{
	if (cnt > n)
		cnt = n;
	for (uint64_t j = 0; j < cnt; j++)
		ad_rel(f, label, 'g', group, 'c', lo + j * n / cnt);
}

static int gen_ad(const char *out, unsigned long long seed, uint64_t nuser, uint64_t ngroup)
{
	uint64_t ndev = nuser / 10 < 10 ? 10 : nuser / 10, ndc, nsrv, nws, nbulk = ngroup - G_WELL_KNOWN;
	uint64_t t = 2 + nuser / 25000, i, k, pick[3], *l6;
	FILE *f;

	rng = seed * 0x2545f4914f6cdd1dULL + 1;
	ndc = ndev / 5000 < 2 ? 2 : ndev / 5000;
	nsrv = ndev / 5;
	nws = ndev - ndc - nsrv;
	f = open_out(out, "ad");
	for (i = 0; i < ngroup; i++) {
		if (i < G_WELL_KNOWN)
			fprintf(f, "{\"type\":\"asset\",\"label\":\"group\",\"source_id\":\"ad:g%llu\",\"name\":\"%s\","
				"\"keys\":{\"sid\":\"%s\"}%s%s%s}\n",
				(unsigned long long)i, wk[i].name, wk[i].sid, wk[i].roles ? ",\"props\":{\"assignedRoles\":[\"" : "",
				wk[i].roles ? wk[i].roles : "", wk[i].roles ? "\"]}" : "");
		else
			fprintf(f, "{\"type\":\"asset\",\"label\":\"group\",\"source_id\":\"ad:g%llu\",\"name\":\"Group %07llu\","
				"\"keys\":{\"sid\":\"" AD_DOMAIN "-%llu\"}}\n",
				(unsigned long long)i, (unsigned long long)i, (unsigned long long)(10000 + i));
	}
	for (i = 0; i < nuser; i++) {
		fprintf(f,
			"{\"type\":\"asset\",\"label\":\"user\",\"source_id\":\"ad:u%llu\",\"name\":\"user%07llu\","
			"\"keys\":{\"sid\":\"" AD_DOMAIN "-%llu\",\"upn\":\"user%07llu@corp.example.com\"},"
			"\"props\":{\"accountEnabled\":%s%s}}\n",
			(unsigned long long)i, (unsigned long long)i, (unsigned long long)(100000000 + i), (unsigned long long)i,
			chance(20) ? "false" : "true", chance(2) ? ",\"hasLeakedCredentials\":true" : "");
		ad_rel(f, "member of", 'u', i, 'g', G_DOMAIN_USERS);
		k = 1 + below(3);
		pick_distinct(pick, k, G_WELL_KNOWN, nbulk);
		while (k--)
			ad_rel(f, "member of", 'u', i, 'g', pick[k]);
	}
	/* the named groups: fixed nesting, a few direct members each */
	if (!(l6 = malloc(t * sizeof(*l6)))) {
		fprintf(stderr, "xsm-gen: out of memory\n");
		return 70;
	}
	for (i = 0; i < G_WELL_KNOWN; i++) {
		uint64_t n = wk[i].members * t, *m = i == G_T0_L6 ? l6 : malloc((n ? n : 1) * sizeof(*m));
		if (!m) {
			fprintf(stderr, "xsm-gen: out of memory\n");
			return 70;
		}
		for (k = 0; k < 2; k++)
			if (wk[i].parent[k] >= 0)
				ad_rel(f, "member of", 'g', i, 'g', (uint64_t)wk[i].parent[k]);
		pick_distinct(m, n, 0, nuser);
		for (k = 0; k < n; k++)
			ad_rel(f, "member of", 'u', m[k], 'g', i);
		if (m != l6)
			free(m);
	}
	/* the bulk groups: 0-3 parents among themselves (0.2/0.5/0.2/0.1, mean 1.2), cycles allowed */
	for (i = G_WELL_KNOWN; i < ngroup; i++) {
		uint64_t r = below(10);
		k = r < 2 ? 0 : r < 7 ? 1 : r < 9 ? 2 : 3;
		do
			pick_distinct(pick, k, G_WELL_KNOWN, nbulk);
		while ((k > 0 && pick[0] == i) || (k > 1 && pick[1] == i) || (k > 2 && pick[2] == i));
		while (k--)
			ad_rel(f, "member of", 'g', i, 'g', pick[k]);
	}
	/* computers: domain controllers, servers, workstations */
	for (i = 0; i < ndev; i++) {
		const char *kind = i < ndc ? "DC" : i < ndc + nsrv ? "SRV" : "WS", *host = i < ndc ? "dc" : i < ndc + nsrv ? "srv" : "ws";
		fprintf(f,
			"{\"type\":\"asset\",\"label\":\"device\",\"source_id\":\"ad:c%llu\",\"name\":\"%s%07llu\","
			"\"keys\":{\"hostname\":\"%s%07llu\",\"fqdn\":\"%s%07llu.corp.example.com\"},"
			"\"props\":{\"osType\":\"windows\",\"lastSeen\":\"2026-11-20T00:00:00Z\"%s}}\n",
			(unsigned long long)i, kind, (unsigned long long)i, kind, (unsigned long long)i,
			host, (unsigned long long)i,
			i < ndc ? ",\"deviceRole\":[\"DomainController\"],\"services\":[\"ldap\",\"kerberos\"]" : "");
		/* domain controllers are logged on to by the deepest tier-0 admins */
		k = 1 + below(3);
		if (i < ndc) {
			for (uint64_t j = 0; j < k && j < t; j++)
				ad_rel(f, "frequently logged in by", 'c', i, 'u', l6[(i + j) % t]);
			continue;
		}
		pick_distinct(pick, k, 0, nuser);
		while (k--)
			ad_rel(f, "frequently logged in by", 'c', i, 'u', pick[k]);
	}
	free(l6);
	ad_admin_to(f, "CanRemoteInteractiveLogonTo", G_DOMAIN_ADMINS, 0, ndc, ndc);
	ad_admin_to(f, "CanRemoteInteractiveLogonTo", G_SERVER_ADMINS, ndc, nsrv, 200);
	ad_admin_to(f, "can authenticate to", G_IT_ADMINS, ndc, nsrv, 100);
	ad_admin_to(f, "can authenticate to", G_WORKSTATION_ADMINS, ndc + nsrv, nws, 500);
	ad_admin_to(f, "can authenticate to", G_HELPDESK_T1, ndc + nsrv, nws, 300);
	if (fclose(f)) {
		fprintf(stderr, "xsm-gen: write error: %s\n", strerror(errno));
		return 74;
	}
	fprintf(stderr, "xsm-gen: seed %llu: ad: %llu users, %llu groups (%d named), %llu devices (%llu domain controllers), "
		"%llu relations\n",
		seed, (unsigned long long)nuser, (unsigned long long)ngroup, G_WELL_KNOWN, (unsigned long long)ndev,
		(unsigned long long)ndc, (unsigned long long)ad_relations);
	return 0;
}

/* --- the paths shape --------------------------------------------------------- */

struct paths_shape {
	uint64_t nodes, edges, targets, entries;
};

static int gen_paths(const char *out, unsigned long long seed, const struct paths_shape *ps)
{
	uint64_t n = ps->nodes, hubs = n / 1000 ? n / 1000 : 1, i, tstep, estep;
	FILE *f;

	if (ps->targets + ps->entries + hubs > n) {
		fprintf(stderr, "xsm-gen: --targets and --entries must leave room in --identities\n");
		return 64;
	}
	rng = seed * 0x2545f4914f6cdd1dULL + 7;
	tstep = n / ps->targets;
	estep = n / ps->entries;
	f = open_out(out, "iam");
	for (i = 0; i < n; i++) {
		/* targets at i = k * tstep + 1, entries at k * estep + 2 */
		int target = i % tstep == 1 && i / tstep < ps->targets;
		int entry = !target && i % estep == 2 && i / estep < ps->entries;
		fprintf(f,
			"{\"type\":\"asset\",\"label\":\"user\",\"source_id\":\"iam:u%llu\",\"name\":\"user%08llu\","
			"\"keys\":{\"upn\":\"user%08llu@corp.example.com\"},\"props\":{\"accountEnabled\":true%s%s}}\n",
			(unsigned long long)i, (unsigned long long)i, (unsigned long long)i,
			target ? ",\"assignedRoles\":[\"Global Administrator\"]" : "",
			entry ? ",\"hasLeakedCredentials\":true" : "");
	}
	for (i = 0; i < ps->edges; i++) {
		uint64_t a, b;
		if (chance(200)) {
			a = below(n);
			b = below(hubs) * 1000;
		} else {
			/* density ~ 1 / sqrt(i): the square of a uniform draw */
			uint64_t u = below(1u << 30);
			a = (uint64_t)((double)u * (double)u / (double)(1ull << 60) * (double)n);
			b = below(n);
		}
		if (a == b)
			b = (b + 1) % n;
		fprintf(f, "{\"type\":\"relation\",\"label\":\"can authenticate as\",\"from\":\"iam:u%llu\",\"to\":\"iam:u%llu\"}\n",
			(unsigned long long)a, (unsigned long long)b);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "xsm-gen: write failed: %s\n", strerror(errno));
		return 74;
	}
	fprintf(stderr, "xsm-gen: paths seed %llu: %llu identities, %llu edges, %llu hubs, %llu targets, %llu entries\n", seed,
		(unsigned long long)n, (unsigned long long)ps->edges, (unsigned long long)hubs,
		(unsigned long long)ps->targets, (unsigned long long)ps->entries);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long seed = 1, assets = 10000, users = 100000, groups = 5000;
	struct paths_shape ps = { 1000000, 0, 1000, 10000 };
	const char *out = ".";
	int ad = 0, paths = 0, sized = 0;

	for (int a = 1; a < argc; a++) {
		char *end;
		if (!strcmp(argv[a], "--seed") && a + 1 < argc) {
			seed = strtoull(argv[++a], &end, 10);
			if (*end)
				usage();
		} else if (!strcmp(argv[a], "--assets") && a + 1 < argc) {
			assets = strtoull(argv[++a], &end, 10);
			if (*end || assets < 100 || assets > 50000000)
				usage();
			sized |= 1;
		} else if (!strcmp(argv[a], "--shape") && a + 1 < argc) {
			a++;
			if (!strcmp(argv[a], "ad"))
				ad = 1;
			else if (!strcmp(argv[a], "paths"))
				paths = 1;
			else if (strcmp(argv[a], "enterprise"))
				usage();
		} else if (!strcmp(argv[a], "--users") && a + 1 < argc) {
			users = strtoull(argv[++a], &end, 10);
			if (*end || users < 100 || users > 50000000)
				usage();
			sized |= 2;
		} else if (!strcmp(argv[a], "--groups") && a + 1 < argc) {
			groups = strtoull(argv[++a], &end, 10);
			if (*end || groups < 100 || groups > 5000000)
				usage();
			sized |= 2;
		} else if ((!strcmp(argv[a], "--identities") || !strcmp(argv[a], "--edges") || !strcmp(argv[a], "--targets") ||
			    !strcmp(argv[a], "--entries")) && a + 1 < argc) {
			uint64_t *v = argv[a][2] == 'i' ? &ps.nodes : argv[a][3] == 'd' ? &ps.edges : argv[a][3] == 'a' ? &ps.targets : &ps.entries;
			*v = strtoull(argv[a + 1], &end, 10);
			if (*end || *v < 1 || *v > 500000000)
				usage();
			a++;
			sized |= 4;
		} else if (!strcmp(argv[a], "--out") && a + 1 < argc) {
			out = argv[++a];
		} else {
			usage();
		}
	}
	/* --assets sizes the enterprise, --users and --groups the directory, the rest the paths shape */
	if (sized & (paths ? 3 : ad ? 5 : 6))
		usage();
	if (!ps.edges)
		ps.edges = 10 * ps.nodes;
	if (mkdir(out, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "xsm-gen: cannot create '%s': %s\n", out, strerror(errno));
		return 73;
	}
	if (paths)
		return gen_paths(out, seed, &ps);
	return ad ? gen_ad(out, seed, users, groups) : gen_enterprise(out, seed, assets);
}

/*
 * gen.c - xsm-gen: a seeded synthetic enterprise, written as record files
 * (one per source) for the benchmarks.  Same seed and size, same bytes.
 *
 *   xsm-gen [--seed N] [--assets N] [--out DIR]
 *
 * Model (fractions of --assets): 60% devices (servers and workstations;
 * one domain controller per 5,000 assets, at least 2; ~0.13% given
 * vendorCriticality high), 25% users, 3% groups, 2% service principals,
 * 10% cloud resources.  Every device is in the CMDB; 70% are seen by
 * Qualys (FQDN upper-case with a trailing dot), 50% by Tenable (short
 * name, MAC in dash form), Windows ones by Defender (mde_id): identity
 * resolution has real work.  Findings: 8 per scanned device on average
 * from a pool of 3,000 CVEs (5% critical, 20% high, 50% medium, 25% low;
 * 10% of critical/high exploitable, half of those RCE).  2% of devices
 * are internet-facing, most with an RCE: about 1% of assets are entry
 * points.  Relations: member of, frequently logged in by, can
 * authenticate to, CanRemoteInteractiveLogonTo, has credentials of, has
 * permissions to, routes traffic to: with the findings, about 10 edges
 * per asset.
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
	fprintf(stderr, "usage: xsm-gen [--seed N] [--assets N] [--out DIR]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	unsigned long long seed = 1, assets = 10000;
	const char *out = ".";
	uint64_t ndev, nuser, ngroup, nsp, ncloud, i, k, ndc, findings = 0, relations = 0;
	FILE *cmdb, *qualys, *tenable, *defender, *entra, *cloud;
	static const char *sev[] = { "critical", "high", "medium", "low" };

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
		} else if (!strcmp(argv[a], "--out") && a + 1 < argc) {
			out = argv[++a];
		} else {
			usage();
		}
	}
	if (mkdir(out, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "xsm-gen: cannot create '%s': %s\n", out, strerror(errno));
		return 73;
	}
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

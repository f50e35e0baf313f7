/* connect/norm.c - spelling fixes every vendor needs: names, MACs, times, OS, CVSS. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connect/conn.h"

void xsm__norm_host(char *out, size_t outlen, const char *s)
{
	size_t i = 0;
	if (!outlen)
		return;
	for (; s && *s && i + 1 < outlen; s++)
		out[i++] = (char)tolower((unsigned char)*s);
	while (i && out[i - 1] == '.')
		i--;
	out[i] = '\0';
}

void xsm__norm_mac(char out[18], const char *s)
{
	char hex[12];
	int n = 0;
	out[0] = '\0';
	for (; s && *s; s++) {
		if (isxdigit((unsigned char)*s)) {
			if (n == 12)
				return;
			hex[n++] = (char)tolower((unsigned char)*s);
		} else if (*s != ':' && *s != '-' && *s != '.') {
			return;
		}
	}
	if (n != 12 || !memcmp(hex, "000000000000", 12))
		return;
	snprintf(out, 18, "%.2s:%.2s:%.2s:%.2s:%.2s:%.2s", hex, hex + 2, hex + 4, hex + 6, hex + 8, hex + 10);
}

int xsm__is_ipv4(const char *s)
{
	struct in_addr a;
	return s && inet_pton(AF_INET, s, &a) == 1;
}

int xsm__is_ipv6(const char *s)
{
	struct in6_addr a;
	return s && inet_pton(AF_INET6, s, &a) == 1;
}

/* n digits at s as a number, or -1 */
static int digits(const char *s, int n)
{
	int v = 0;
	for (; n > 0; n--, s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

void xsm__norm_time(char out[21], const char *s)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	size_t n = 10;
	int64_t t;
	char tmp[32];

	out[0] = '\0';
	/* "2024-05-09 23:23:56", "2024-05-09T23:23:56Z", "…56.998Z", "…56+00:00", "2018-03-26" */
	if (!s || strlen(s) < 10 || s[4] != '-' || s[7] != '-' || (y = digits(s, 4)) < 0 ||
	    (mo = digits(s + 5, 2)) < 0 || (d = digits(s + 8, 2)) < 0)
		return;
	if (s[10] == ' ' || s[10] == 'T') {
		if (strlen(s) < 19 || s[13] != ':' || s[16] != ':' || (h = digits(s + 11, 2)) < 0 ||
		    (mi = digits(s + 14, 2)) < 0 || (sec = digits(s + 17, 2)) < 0)
			return;
		n = 19;
		if (s[n] == '.')
			for (n++; isdigit((unsigned char)s[n]); n++)
				;
		/* only UTC is accepted as is; an explicit other offset is not guessed at */
		if (s[n] && strcmp(s + n, "Z") && strcmp(s + n, "+00:00") && strcmp(s + n, "+0000"))
			return;
	} else if (s[10]) {
		return;
	}
	/* ranges are checked here; the day of the month by the calendar */
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return;
	if (d > 28) {
		snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, sec);
		if (xsm_time_parse(&t, tmp) == 0)
			xsm_time_format(out, t);
		return;
	}
	memcpy(out, s, 10);
	out[10] = 'T';
	out[11] = (char)('0' + h / 10), out[12] = (char)('0' + h % 10), out[13] = ':';
	out[14] = (char)('0' + mi / 10), out[15] = (char)('0' + mi % 10), out[16] = ':';
	out[17] = (char)('0' + sec / 10), out[18] = (char)('0' + sec % 10), out[19] = 'Z', out[20] = '\0';
}

const char *xsm__os_type(const char *os)
{
	static const struct {
		const char *needle, *type;
	} map[] = {
		{ "windows", "windows" }, { "mac os", "macos" }, { "macos", "macos" }, { "os x", "macos" },
		{ "darwin", "macos" },    { "ios", "ios" },      { "android", "android" },
		{ "linux", "linux" },     { "ubuntu", "linux" }, { "debian", "linux" }, { "red hat", "linux" },
		{ "rhel", "linux" },      { "centos", "linux" }, { "suse", "linux" },   { "amazon", "linux" },
		{ "fedora", "linux" },    { "oracle", "linux" }, { "aix", "unix" },     { "solaris", "unix" },
		{ "hp-ux", "unix" },      { "freebsd", "unix" }, { "unix", "unix" },    { "cisco", "network" },
		{ "juniper", "network" }, { "fortios", "network" }, { "pan-os", "network" },
	};
	char low[256];
	size_t i;

	if (!os || !*os)
		return "";
	for (i = 0; os[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)os[i]);
	low[i] = '\0';
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const char *p = strstr(low, map[i].needle);
		/* "ios" only as a word: not inside "bios" or "windows ... studios" */
		if (p && (!strcmp(map[i].needle, "ios") ? (p == low || !isalpha((unsigned char)p[-1])) : 1))
			return map[i].type;
	}
	return "";
}

const char *xsm__sev_from_cvss(double s)
{
	return s >= 9.0 ? "critical" : s >= 7.0 ? "high" : s >= 4.0 ? "medium" : s > 0 ? "low" : "info";
}

int xsm__is_cve(const char *s)
{
	size_t n = 0;
	if (!s || strncmp(s, "CVE-", 4))
		return 0;
	for (s += 4; isdigit((unsigned char)*s); s++)
		n++;
	if (n != 4 || *s != '-')
		return 0;
	for (n = 0, s++; isdigit((unsigned char)*s); s++)
		n++;
	return !*s && n >= 4 && n <= 9;
}

int xsm__cvss_remote(const char *v)
{
	/* v3: AV:N, PR:N, UI:N; v2: AV:N, Au:N */
	if (!v || !strstr(v, "AV:N"))
		return 0;
	if (strstr(v, "CVSS:3") || strstr(v, "PR:"))
		return strstr(v, "PR:N") && strstr(v, "UI:N");
	return strstr(v, "Au:N") != NULL;
}

int xsm__contains(const char *text, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	const char *p = text, *end = text + n;
	while (k && (size_t)(end - p) >= k && (p = memchr(p, needle[0], (size_t)(end - p) - k + 1))) {
		if (!memcmp(p, needle, k))
			return 1;
		p++;
	}
	return 0;
}

/* short hostname and FQDN from what a vendor says; neither may be an address */
void xsm__host_names(char host[256], char fqdn[300], const char *h, const char *f, const char *netbios)
{
	xsm__norm_host(fqdn, 300, f);
	if (!strchr(fqdn, '.') || xsm__is_ipv4(fqdn))
		fqdn[0] = '\0';
	xsm__norm_host(host, 256, h && *h ? h : fqdn[0] ? fqdn : netbios);
	if (xsm__is_ipv4(host) || xsm__is_ipv6(host))
		host[0] = '\0';
	host[strcspn(host, ".")] = '\0';
	if (!host[0] && netbios && *netbios) {
		xsm__norm_host(host, 256, netbios);
		host[strcspn(host, ".")] = '\0';
	}
}

/* each CVE id in a list of them (commas, spaces, newlines between) */
int xsm__each_cve(const char *s, int (*cb)(const char *cve, void *payload), void *payload)
{
	char cve[32];
	int rc = 0, any = 0;
	while (*s && rc == 0) {
		size_t k;
		while (*s && (isspace((unsigned char)*s) || *s == ',' || *s == ';'))
			s++;
		k = strcspn(s, ",; \t\r\n");
		if (k && k < sizeof(cve)) {
			memcpy(cve, s, k);
			cve[k] = '\0';
			for (size_t i = 0; i < 3 && cve[i]; i++)
				cve[i] = (char)toupper((unsigned char)cve[i]);
			if (xsm__is_cve(cve)) {
				any = 1;
				rc = cb(cve, payload);
			}
		}
		s += k;
	}
	return rc < 0 ? rc : any;
}

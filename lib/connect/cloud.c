/* connect/cloud.c - identity keys and labels of cloud resources (cloud.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connect/cloud.h"
#include "util/buf.h"

int xsm__cloud_platform(const char *s)
{
	if (!s)
		return XSM__CLOUD_OTHER;
	if (!strcasecmp(s, "azure") || !strncasecmp(s, "azure", 5))
		return XSM__CLOUD_AZURE;
	if (!strcasecmp(s, "aws") || !strcasecmp(s, "amazon"))
		return XSM__CLOUD_AWS;
	if (!strcasecmp(s, "gcp") || !strcasecmp(s, "google"))
		return XSM__CLOUD_GCP;
	return XSM__CLOUD_OTHER;
}

static void lower_into(char *out, size_t n, const char *s)
{
	size_t i;
	for (i = 0; s[i] && i + 1 < n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

void xsm__cloud_id(char *out, size_t n, int platform, const char *id)
{
	const char *p;
	out[0] = '\0';
	if (!id || !*id || !n)
		return;
	if ((p = strstr(id, "/subscriptions/")) || (p = strstr(id, "/SUBSCRIPTIONS/")) ||
	    (!strncasecmp(id, "/subscriptions/", 15) && (p = id))) {
		lower_into(out, n, p);
		return;
	}
	if (platform == XSM__CLOUD_AWS || !strncmp(id, "arn:aws", 7)) {
		/* arn:aws:ec2:REGION:ACCOUNT:instance/i-0123… */
		if ((p = strstr(id, ":instance/")) != NULL) {
			snprintf(out, n, "%s", p + 10);
			return;
		}
	}
	lower_into(out, n, id);
}

const char *xsm__cloud_vm_label(int platform)
{
	switch (platform) {
	case XSM__CLOUD_AZURE: return "microsoft.compute/virtualmachines";
	case XSM__CLOUD_AWS: return "aws.ec2.instance";
	case XSM__CLOUD_GCP: return "compute.instances";
	default: return "device";
	}
}

void xsm__cloud_label(xsm_buf *out, int platform, const char *native_type, const char *kind)
{
	static const char *const prefix[] = { "cloud", "microsoft", "aws", "gcp" };
	size_t i, start;

	xsm_buf_clear(out);
	if (platform == XSM__CLOUD_AZURE && native_type && !strncasecmp(native_type, "microsoft.", 10) &&
	    strchr(native_type, '/')) {
		xsm_buf_puts(out, native_type);
	} else {
		xsm_buf_printf(out, "%s.", prefix[platform]);
		start = out->size;
		xsm_buf_puts(out, kind && *kind ? kind : native_type && *native_type ? native_type : "resource");
		/* VIRTUAL_MACHINE, SECRET_CONTAINER: one word a label, no blanks */
		for (i = start; out->ptr && i < out->size; i++)
			if (!isalnum((unsigned char)out->ptr[i]) && out->ptr[i] != '.' && out->ptr[i] != '/' &&
			    out->ptr[i] != '-')
				out->ptr[i] = '_';
	}
	for (i = 0; out->ptr && i < out->size; i++)
		out->ptr[i] = (char)tolower((unsigned char)out->ptr[i]);
}

int xsm__cloud_private_ipv4(const char *ip)
{
	int a, b;
	if (!xsm__is_ipv4(ip) || sscanf(ip, "%d.%d", &a, &b) != 2)
		return 0;
	return a == 10 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168);
}

/*
 * connect/qualys.h - Qualys records: one host and its detections as the
 * API connector (qualys.c: Host List Detection and KnowledgeBase) and the
 * exported report files (files.c: scan report, ASSET_DATA_REPORT) both
 * make them, so a host reads the same whichever way it came.
 */
#ifndef XSM__CONNECT_QUALYS_H
#define XSM__CONNECT_QUALYS_H

#include <stddef.h>

#include "connect/conn.h"

/* a host as Qualys names it; NULL or "" fields are left out */
typedef struct xsm__qhost {
	const char *id;                   /* the vendor id: source_id is "qualys:<id>" */
	const char *host_id, *asset_id;   /* raw.qualys hostId, QualysAssetId */
	const char *ip, *ipv6;            /* ip: either family */
	const char *hostname, *fqdn, *dns, *netbios;
	const char *os, *last_scan;       /* last_scan as Qualys writes it */
	const char *tracking, *qg_host_id, *cloud_id;
	char *const *tags;                /* asset group or tag names */
	size_t ntags;
} xsm__qhost;

/* the host's device record */
int xsm__qualys_host(xsm__conn *c, const xsm__qhost *h);

/* a detection of a QID on a host, with what the KnowledgeBase (or the report) says of the QID */
typedef struct xsm__qdetection {
	const char *host;                 /* the host's vendor id */
	long qid;
	int severity;                     /* Qualys 1..5 (0: information) */
	int port;                         /* <= 0: none */
	const char *status;               /* Qualys' word: New, Active, Fixed, Re-Opened */
	const char *first, *last;         /* RFC 3339 or "" */
	int confirmed;                    /* 1 confirmed, 0 potential, -1 not said */
	const char *cves;                 /* the QID's CVE ids, comma separated */
	double cvss;                      /* v3 when given, else v2; < 0 unknown */
	int exploit, rce;
	const char *title;
} xsm__qdetection;

/*
 * One finding record per CVE of the detection's QID.  0 when written,
 * 1 when the QID names no CVE (not a finding the graph can name), or an
 * error.
 */
int xsm__qualys_findings(xsm__conn *c, const xsm__qdetection *d);

#endif

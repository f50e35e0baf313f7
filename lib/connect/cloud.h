/*
 * connect/cloud.h - what the cloud security connectors (wiz.c, prisma.c)
 * share: the identity keys of a cloud machine, spelled as the Azure,
 * Defender and scanner connectors spell them so the same VM merges, and
 * the labels of cloud resources.
 */
#ifndef XSM__CONNECT_CLOUD_H
#define XSM__CONNECT_CLOUD_H

#include <stddef.h>

#include "connect/conn.h"

enum { XSM__CLOUD_OTHER, XSM__CLOUD_AZURE, XSM__CLOUD_AWS, XSM__CLOUD_GCP };

/* the cloud a vendor names ("Azure", "AZURE", "azure", "AWS", "aws", "GCP", "gcp") */
int xsm__cloud_platform(const char *s);

/*
 * cloud_id of a machine or resource: an Azure ARM id lower-cased (from
 * "/subscriptions/" on, as azure.c and defender.c write it), an AWS EC2
 * instance id ("i-…", also taken out of an instance ARN, as the scanners
 * write it), otherwise the provider's id lower-cased.  "" when none.
 */
void xsm__cloud_id(char *out, size_t n, int platform, const char *provider_id);

/* the label of a virtual machine in a cloud (device kind in the graph) */
const char *xsm__cloud_vm_label(int platform);

/*
 * The label of another resource: the Azure type lower-cased
 * ("microsoft.keyvault/vaults") when one is known, else "<cloud>.<kind>"
 * ("aws.bucket") from a vendor's resource kind, lower case.
 */
void xsm__cloud_label(xsm_buf *out, int platform, const char *native_type, const char *kind);

/* true for an RFC 1918 IPv4 address (the one a private IP key may hold) */
int xsm__cloud_private_ipv4(const char *ip);

#endif

#!/usr/bin/env python3
"""gen_nessus.py MB [ITEMS_PER_HOST]: write a synthetic NessusClientData_v2
document of about MB megabytes to stdout, shaped like a real scan export:
a Policy, then ReportHosts with HostProperties and ReportItems whose
description, solution and plugin_output texts are most of the bytes; a
third of the items carry one to three CVEs.  Deterministic (no randomness),
so runs compare."""
import sys

mb = float(sys.argv[1]) if len(sys.argv) > 1 else 16
per_host = int(sys.argv[2]) if len(sys.argv) > 2 else 40
limit = int(mb * 1024 * 1024)
out = sys.stdout.buffer
head = (b'<?xml version="1.0" ?>\n<NessusClientData_v2>\n<Policy><policyName>bench</policyName>'
        b'<Preferences><ServerPreferences><preference><name>plugin_set</name><value>' +
        b';'.join(str(10000 + i).encode() for i in range(4000)) +
        b'</value></preference></ServerPreferences></Preferences></Policy>\n<Report name="bench" '
        b'xmlns:cm="http://www.nessus.org/cm">\n')
out.write(head)
size = len(head)
desc = (b'The remote host is affected by a vulnerability in a network service that lets an '
        b'unauthenticated attacker send crafted requests &amp; run code. ' * 4)
output = b'\n  Installed version : 1.2.3\n  Fixed version     : 1.2.4\n  Path              : /usr/lib/x\n' * 3
h = 0
while size < limit:
    ip = '10.%d.%d.%d' % ((h >> 16) & 255, (h >> 8) & 255, h & 255)
    parts = [('<ReportHost name="%s"><HostProperties>\n'
              '<tag name="HOST_END">Thu Dec 17 17:49:25 2009</tag>\n'
              '<tag name="operating-system">Microsoft Windows Server 2019 Standard</tag>\n'
              '<tag name="mac-address">00:50:56:%02x:%02x:%02x</tag>\n'
              '<tag name="hostname">host%d</tag>\n'
              '<tag name="host-fqdn">host%d.corp.example.com</tag>\n'
              '<tag name="host-ip">%s</tag>\n'
              '<tag name="HOST_START">Thu Dec 17 17:39:25 2009</tag>\n'
              '</HostProperties>\n' % (ip, (h >> 16) & 255, (h >> 8) & 255, h & 255, h, h, ip)).encode()]
    for i in range(per_host):
        plugin = 10000 + (h * 7 + i * 13) % 90000
        item = [('<ReportItem port="%d" svc_name="www" protocol="tcp" severity="%d" pluginID="%d" '
                 'pluginName="Plugin %d remote vulnerability" pluginFamily="Misc.">\n'
                 % (443 if i % 3 else 0, i % 5, plugin, plugin)).encode(),
                b'<description>', desc, b'</description>\n<fname>plugin.nasl</fname>\n'
                b'<plugin_modification_date>2024/01/01</plugin_modification_date>\n'
                b'<plugin_type>remote</plugin_type>\n<risk_factor>', [b'None', b'Low', b'Medium', b'High',
                                                                     b'Critical'][i % 5], b'</risk_factor>\n'
                b'<solution>Upgrade to version 1.2.4 or later.</solution>\n'
                b'<synopsis>The remote service is affected by a vulnerability.</synopsis>\n']
        if i % 3 == 0:
            for k in range(1 + i % 3 + (h % 2)):
                item.append(b'<cve>CVE-20%02d-%d</cve>\n' % (10 + (plugin + k) % 14, 1000 + (plugin * 31 + k) % 50000))
            item.append(b'<cvss3_base_score>%d.%d</cvss3_base_score>\n' % (4 + i % 6, i % 10))
            item.append(b'<cvss3_vector>CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</cvss3_vector>\n')
            item.append(b'<exploit_available>%s</exploit_available>\n' % (b'true' if i % 2 else b'false'))
        item += [b'<plugin_output>', output, b'</plugin_output>\n</ReportItem>\n']
        parts.append(b''.join(item))
    parts.append(b'</ReportHost>\n')
    chunk = b''.join(parts)
    out.write(chunk)
    size += len(chunk)
    h += 1
out.write(b'</Report>\n</NessusClientData_v2>\n')

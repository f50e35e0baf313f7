#!/usr/bin/env python3
"""connectors.py BUILD HOSTS [FINDINGS_PER_HOST]: the connector benchmark.

Starts the loopback emulators (test/emu/emu.py, msemu.py) of Tenable,
Qualys, Rapid7 (v4) and Defender for Endpoint (bulk machine vulnerabilities
joined with the catalogue) serving HOSTS hosts with FINDINGS_PER_HOST
findings each, syncs
each with `xsm ingest NAME --no-build`, and reports per vendor: findings
normalised, wall time, CPU time of xsm alone (the emulator is another
process), findings per CPU second, and xsm's peak RSS.  One JSON line per
vendor on stdout, a table on stderr.  The target (issue: connectors) is at
least 50,000 findings per CPU second, with memory bounded by the page size:
compare peak RSS at two HOSTS values.

Then the offline files: a synthetic .nessus (gen_nessus.py) of
CONN_NESSUS_MB megabytes (default 256; 2048 for the issue's 2 GB) and one
of a quarter of that, each read with `xsm ingest --format nessus`: MB of
XML and ReportItems per CPU second of xsm (target: 100 MB/CPU-s), and peak
RSS at both sizes (bounded by one host's data, so they should agree).
CONN_ONLY=nessus runs only these.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

VENDORS = [
    # name, emulator, connect add arguments
    ("tenable", "tenable", ["--access-key-env", "T_ACCESS", "--secret-key-env", "T_SECRET",
                            "--set", "poll_interval_ms=50", "--set", "num_assets=1000"]),
    ("qualys", "qualys", ["--username", "xsm", "--password-env", "Q_PASS"]),
    ("rapid7", "rapid7", ["--api-key-env", "R7_KEY"]),
    ("defender", "defender", ["--client-secret-env", "MS_SECRET", "--set", "tenant=6b3b0e4c-51b2-4c1e-9d4a-7d1f3c2a9e10",
                              "--set", "client_id=0c5a3b1e-2f4d-4e6a-8b7c-9d0e1f2a3b4c", "--set", "calls_per_minute=0",
                              "--set", "logons=off", "--set", "authority=http://127.0.0.1:%(port)d"]),
]
MS_VENDORS = ("defender", "entra", "azure")


def start(emu, vendor, hosts, per_host, work):
    port_file = os.path.join(work, vendor + ".port")
    if vendor in MS_VENDORS:
        emu = os.path.join(os.path.dirname(emu), "msemu.py")
    proc = subprocess.Popen([sys.executable, emu, vendor, "--seed", "1", "--hosts", str(hosts),
                             "--findings-per-host", str(per_host), "--port-file", port_file],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(400):
        if os.path.exists(port_file):
            with open(port_file) as f:
                return proc, int(f.read())
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("bench: the %s emulator did not start" % vendor)


def bench_nessus(xsm, top, env, work, mb):
    path = os.path.join(work, "bench.nessus")
    with open(path, "wb") as f:
        subprocess.run([sys.executable, os.path.join(top, "test", "bench", "gen_nessus.py"), str(mb)], stdout=f,
                       check=True)
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        items = sum(chunk.count(b"<ReportItem ") for chunk in iter(lambda: f.read(1 << 20), b""))
    source = "nessus-%d" % int(mb)
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as so:
        child = subprocess.Popen([xsm, "--format=json", "ingest", "--format", "nessus", "--source", source,
                                  "--no-build", path], env=env, stdout=so)
        _, status, ru = os.wait4(child.pid, 0)
        so.seek(0)
        text = so.read()
    wall = time.monotonic() - t0
    os.unlink(path)
    cpu = ru.ru_utime + ru.ru_stime
    s = json.loads(text)["sources"][0] if status == 0 else {"assets": 0, "findings": 0}
    return {"stage": "file-" + source + "MB", "bytes": size, "report_items": items, "assets": s["assets"],
            "findings": s["findings"], "wall_s": round(wall, 2), "xsm_cpu_s": round(cpu, 2),
            "mb_per_cpu_s": round(size / 1048576 / cpu, 1) if cpu > 0 else None,
            "report_items_per_cpu_s": round(items / cpu) if cpu > 0 else None,
            "findings_per_cpu_s": round(s["findings"] / cpu) if cpu > 0 else None,
            "peak_rss_mb": round(ru.ru_maxrss / 1024, 1), "status": "ok" if status == 0 else "error",
            "machine": "%d cores, %s" % (os.cpu_count(), os.uname().machine)}


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 64
    build, hosts = sys.argv[1], int(sys.argv[2])
    only = os.environ.get("CONN_ONLY")  # one vendor, e.g. CONN_ONLY=defender
    vendors = [v for v in VENDORS if not only or v[0] == only]
    per_host = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    xsm = os.path.join(build, "bin", "xsm")
    emu = os.path.join(top, "test", "emu", "emu.py")
    work = tempfile.mkdtemp(prefix="xsm-bench-conn.")
    env = dict(os.environ, XSM_STORE=os.path.join(work, "store"), LD_LIBRARY_PATH=os.path.join(build, "lib"),
               T_ACCESS="emu-t-access", T_SECRET="emu-t-secret", Q_PASS="emu-q-pass", R7_KEY="emu-r7-key",
               MS_SECRET="emu-ms-secret",
               XSM_NOW="2026-11-24T12:00:00Z")
    rows = []
    try:
        for name, vendor, args in vendors:
            proc, port = start(emu, vendor, hosts, per_host, work)
            try:
                subprocess.run([xsm, "-q", "connect", "add", vendor, name, "--url", "http://127.0.0.1:%d" % port]
                               + [a % {"port": port} for a in args], env=env, check=True)
                t0 = time.monotonic()
                # wait4 gives the rusage of xsm alone, not of the emulators
                with tempfile.TemporaryFile() as so:
                    child = subprocess.Popen([xsm, "--format=json", "ingest", name, "--no-build"], env=env, stdout=so)
                    _, _, ru = os.wait4(child.pid, 0)
                    child.returncode = 0
                    so.seek(0)
                    text = so.read()
                wall = time.monotonic() - t0
            finally:
                proc.terminate()
                proc.wait()
            s = json.loads(text)["connectors"][0]
            cpu = ru.ru_utime + ru.ru_stime
            row = {"stage": "connector-" + name, "hosts": hosts, "assets": s["assets"], "findings": s["findings"],
                   "requests": s["requests"], "wall_s": round(wall, 2), "xsm_cpu_s": round(cpu, 2),
                   "findings_per_cpu_s": round(s["findings"] / cpu) if cpu > 0 else None,
                   "peak_rss_mb": round(ru.ru_maxrss / 1024, 1), "status": s["status"],
                   "machine": "%d cores, %s" % (os.cpu_count(), os.uname().machine)}
            rows.append(row)
            print(json.dumps(row), flush=True)
        if not only or only == "nessus":
            mb = float(os.environ.get("CONN_NESSUS_MB", "256"))
            for size in (mb / 4, mb):
                rows.append(bench_nessus(xsm, top, env, work, size))
                print(json.dumps(rows[-1]), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%-18s %8s %9s %8s %9s %14s %8s" % ("CONNECTOR", "ASSETS", "FINDINGS", "WALL s", "XSM CPU", "FINDINGS/CPU-s",
                                              "RSS MB"), file=sys.stderr)
    for r in rows:
        print("%-18s %8d %9d %8.1f %9.2f %14s %8.1f" % (r["stage"], r["assets"], r["findings"], r["wall_s"],
                                                       r["xsm_cpu_s"], r["findings_per_cpu_s"], r["peak_rss_mb"]),
              file=sys.stderr)
    files = [r for r in rows if r["stage"].startswith("file-")]
    if files:
        print("%-18s %9s %12s %8s %12s %14s %8s" % ("FILE", "MB", "REPORTITEMS", "XSM CPU", "MB/CPU-s", "ITEMS/CPU-s",
                                                    "RSS MB"), file=sys.stderr)
    for r in files:
        print("%-18s %9.1f %12d %8.2f %12s %14s %8.1f" % (r["stage"], r["bytes"] / 1048576, r["report_items"],
                                                          r["xsm_cpu_s"], r["mb_per_cpu_s"],
                                                          r["report_items_per_cpu_s"], r["peak_rss_mb"]),
              file=sys.stderr)
    return 0 if all(r["status"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

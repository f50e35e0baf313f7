#!/usr/bin/env python3
"""measure.py STAGE RECORDS -- CMD...: run one benchmark stage, print one JSON line.

Reports wall time, CPU time (user+sys of the command and its children), peak
RSS, and a throughput when RECORDS (a count of items the stage handles) is
given (0 for none).  The command's stdout is discarded; its exit status is
passed on.
"""
import json
import os
import resource
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        print("usage: measure.py STAGE RECORDS -- CMD...", file=sys.stderr)
        return 64
    stage, items, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[4:]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL)
    wall = time.monotonic() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {
        "stage": stage,
        "wall_s": round(wall, 3),
        "cpu_s": round(ru.ru_utime + ru.ru_stime - before.ru_utime - before.ru_stime, 3),
        "peak_rss_mb": round(ru.ru_maxrss / 1024, 1),
        "items": items,
        "items_per_s": round(items / wall) if items and wall > 0 else None,
        "exit": proc.returncode,
        "machine": "%d cores, %s" % (os.cpu_count(), os.uname().machine),
    }
    print(json.dumps(out), flush=True)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""pstore.py MODE FILE - make a paths.bin.zst (version 2) into what the tests need.

  v1        the same paths as version 1 writes them: no summary, the shorter trailer
  miscount  one summary row counts a path more than there is
  frame     the summary's frame damaged (its zstd magic overwritten): only
            what reads the summary fails

The layout is lib/analysis/paths_store.h's; the compressed file is a run
of zstd frames and a seek table (lib/adapt/zstd.h).  Needs zstd(1).
"""
import os
import struct
import subprocess
import sys
import tempfile

SEEK_MAGIC, SKIPPABLE = 0x8F92EAB1, 0x184D2A5E
TRAILER, TRAILER_V1, SUMMARY = 208, 192, 8  # the summary: the last of the trailer's sections


def frames(b):
    """(compressed offset, compressed size) of each frame"""
    nf, desc, magic = struct.unpack("<IBI", b[-9:])
    assert magic == SEEK_MAGIC and not desc & 0x80
    t = len(b) - 9 - 8 * nf
    out, at = [], 0
    for i in range(nf):
        c, _ = struct.unpack("<II", b[t + 8 * i:t + 8 * i + 8])
        out.append((at, c))
        at += c
    return out


def compress(plain):
    """plain as a seekable file: frames of 1 MB, each with its size, then the seek table"""
    out, table = b"", b""
    with tempfile.TemporaryDirectory() as d:
        for at in range(0, len(plain), 1 << 20):
            chunk = plain[at:at + (1 << 20)]
            p = os.path.join(d, "chunk")
            with open(p, "wb") as f:
                f.write(chunk)
            z = subprocess.run(["zstd", "-q", "-c", p], check=True, stdout=subprocess.PIPE).stdout
            out += z
            table += struct.pack("<II", len(z), len(chunk))
    nf = len(table) // 8
    return out + struct.pack("<II", SKIPPABLE, len(table) + 9) + table + struct.pack("<IBI", nf, 0, SEEK_MAGIC)


def main():
    mode, path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        b = f.read()
    if mode == "frame":
        at, _ = frames(b)[-2]  # the summary's; the trailer is the last frame
        b = b[:at] + b"\xff\xff\xff\xff" + b[at + 4:]
    else:
        plain = subprocess.run(["zstd", "-q", "-d", "-c", path], check=True, stdout=subprocess.PIPE).stdout
        head, sec = plain[-TRAILER:-TRAILER + 64], plain[-TRAILER + 64:]
        assert head[:8] == b"XSMPATH1" and struct.unpack("=I", head[12:16])[0] == 2
        off, n = struct.unpack("=QQ", sec[16 * SUMMARY:16 * SUMMARY + 16])
        if mode == "v1":
            plain = plain[:off] + head[:12] + struct.pack("=I", 1) + head[16:] + sec[:16 * SUMMARY]
            assert len(plain) - off == TRAILER_V1
        elif mode == "miscount":
            assert n >= 16
            count = struct.unpack("=I", plain[off + 12:off + 16])[0]
            plain = plain[:off + 12] + struct.pack("=I", count + 1) + plain[off + 16:]
        else:
            sys.exit("pstore.py: unknown mode " + mode)
        b = compress(plain)
    with open(path, "wb") as f:
        f.write(b)


main()

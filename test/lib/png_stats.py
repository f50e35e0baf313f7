#!/usr/bin/env python3
"""png_stats.py FILE: "WIDTH HEIGHT COLOURS INKED" for a PNG, with the standard
library only (zlib): the distinct colours (counted up to 1000) and the
permille of pixels that are not the most common colour.  A blank screenshot
has one colour and nothing inked."""
import struct
import sys
import zlib


def rows(data, width, height, bpp):
    stride = width * bpp
    prev = bytearray(stride)
    at = 0
    for _ in range(height):
        ftype = data[at]
        line = bytearray(data[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
        yield bytes(line)
        prev = line


def main(path):
    blob = open(path, "rb").read()
    if blob[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("%s: not a PNG" % path)
    at, idat, ihdr = 8, b"", None
    while at < len(blob):
        n, kind = struct.unpack(">I4s", blob[at:at + 8])
        body = blob[at + 8:at + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + n
    width, height, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or interlace or ctype not in (2, 6):
        sys.exit("%s: only 8-bit RGB(A), not interlaced" % path)
    bpp = 3 if ctype == 2 else 4
    counts = {}
    for line in rows(zlib.decompress(idat), width, height, bpp):
        for x in range(0, len(line), bpp * 2):  # every other pixel: enough to tell, twice as fast
            px = line[x:x + 3]
            counts[px] = counts.get(px, 0) + 1
    total = sum(counts.values())
    inked = (total - max(counts.values())) * 1000 // total
    print(width, height, min(len(counts), 1000), inked)


if __name__ == "__main__":
    main(sys.argv[1])

#!/usr/bin/env python3
"""Writes the IOPaint-style inpaint requests that the AOT training run sends (standard library only).

Each request is a synthetic RGB gradient with a rectangular hole in the mask; the sizes cover one tile and
a crop that the region planner has to cut out of a larger image.
"""
import base64
import json
import struct
import sys
import zlib
from pathlib import Path


def png(width, height, pixel, channels):
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type None
        for x in range(width):
            rows.extend(pixel(x, y))
    color_type = {1: 0, 3: 2}[channels]

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")


def request(width, height, hole):
    x0, y0, x1, y1 = hole
    image = png(width, height, lambda x, y: (x * 255 // width, y * 255 // height, 128), 3)
    mask = png(width, height, lambda x, y: (255 if x0 <= x < x1 and y0 <= y < y1 else 0,), 1)
    return {
        "image": "data:image/png;base64," + base64.b64encode(image).decode(),
        "mask": "data:image/png;base64," + base64.b64encode(mask).decode(),
        "hd_strategy": "Crop",
    }


def main(out_dir):
    out = Path(out_dir)
    (out / "small-320x240.json").write_text(json.dumps(request(320, 240, (100, 80, 180, 140))))
    (out / "crop-1280x960.json").write_text(json.dumps(request(1280, 960, (600, 400, 760, 560))))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent)

"""A minimal PNG codec in numpy and zlib, used only when neither Pillow nor torchvision is installed.

Decodes non-interlaced 8-bit gray, gray+alpha, RGB, RGBA and palette images (what image tools and the
benchmark client write); encodes 8-bit gray, RGB and RGBA with per-row adaptive filtering and zlib level 6,
the defaults of common PNG writers. Rows filtered with Average or Paeth depend on their left neighbour, so
those images are reconstructed along anti-diagonals (one numpy step per diagonal): correct, but slower than a
native decoder.
"""

import struct
import zlib
from typing import Dict, Optional, Tuple

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


class PngError(ValueError):
    """The bytes are not a PNG this codec can read."""


def _chunks(data: bytes):
    if not data.startswith(SIGNATURE):
        raise PngError("not a PNG file")
    pos = len(SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if len(body) != length:
            raise PngError("truncated PNG chunk")
        yield kind, body
        pos += 12 + length
        if kind == b"IEND":
            return
    raise PngError("PNG ends without an IEND chunk")


def decode(data: bytes) -> Tuple[np.ndarray, Dict[str, object]]:
    """Returns (pixels, info): pixels HxW (gray), HxWx2, HxWx3 or HxWx4 uint8; info may hold 'exif' bytes."""
    header, palette, transparency, idat, info = None, None, None, [], {}
    for kind, body in _chunks(data):
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = np.frombuffer(body, dtype=np.uint8).reshape(-1, 3)
        elif kind == b"tRNS":
            transparency = np.frombuffer(body, dtype=np.uint8)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"eXIf":
            info["exif"] = body
    if header is None:
        raise PngError("PNG without IHDR")
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color not in _CHANNELS or interlace:
        raise PngError(f"unsupported PNG (bit depth {depth}, color type {color}, interlace {interlace}); "
                       "install Pillow for full PNG support")
    channels = _CHANNELS[color]
    stride = width * channels
    try:
        raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
    except zlib.error as error:
        raise PngError(f"corrupt PNG data: {error}") from error
    if raw.size < height * (stride + 1):
        raise PngError("PNG image data is shorter than its size says")
    rows = raw[:height * (stride + 1)].reshape(height, stride + 1)
    pixels = _unfilter(rows[:, 0].copy(), rows[:, 1:], channels).reshape(height, width, channels)
    if color == 3:
        if palette is None:
            raise PngError("palette PNG without PLTE")
        indices = pixels[:, :, 0]
        if transparency is not None:
            alpha = np.full(len(palette), 255, dtype=np.uint8)
            alpha[:len(transparency)] = transparency[:len(palette)]
            return np.dstack([palette[indices], alpha[indices]]), info
        return palette[indices], info
    return (pixels[:, :, 0] if channels == 1 else pixels), info


def _unfilter(types: np.ndarray, rows: np.ndarray, bpp: int) -> np.ndarray:
    if types.max(initial=0) > 4:
        raise PngError("unknown PNG row filter")
    height, stride = rows.shape
    if np.all(types <= 2):
        out = np.zeros((height, stride), dtype=np.uint8)
        prior = np.zeros(stride, dtype=np.uint8)
        for y in range(height):
            row = rows[y]
            if types[y] == 1:
                # Sub: a running sum per channel, modulo 256.
                row = np.cumsum(row.reshape(-1, bpp), axis=0, dtype=np.uint8).reshape(-1)
            elif types[y] == 2:
                row = row + prior
            out[y] = row
            prior = out[y]
        return out
    return _unfilter_diagonals(types, rows.reshape(height, -1, bpp).astype(np.int16), bpp).reshape(height, stride)


def _unfilter_diagonals(types: np.ndarray, raw: np.ndarray, bpp: int) -> np.ndarray:
    height, width, _ = raw.shape
    # One row and one column of zeros in front: the "prior row" of row 0 and the "left pixel" of column 0.
    out = np.zeros((height + 1, width + 1, bpp), dtype=np.int16)
    all_rows = np.arange(height)
    for d in range(height + width - 1):
        r = all_rows[max(0, d - width + 1):min(height, d + 1)]
        x = d - r
        left, up, corner = out[r + 1, x], out[r, x + 1], out[r, x]
        kind = types[r][:, None]
        a_b = left + up
        paeth_p = a_b - corner
        pa, pb, pc = np.abs(paeth_p - left), np.abs(paeth_p - up), np.abs(paeth_p - corner)
        paeth = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up, corner))
        estimate = np.select([kind == 1, kind == 2, kind == 3, kind == 4],
                             [left, up, a_b >> 1, paeth], default=0)
        out[r + 1, x + 1] = (raw[r, x] + estimate) & 0xFF
    return out[1:, 1:].astype(np.uint8)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def encode(pixels: np.ndarray, compress_level: int = 6, exif: Optional[bytes] = None) -> bytes:
    """PNG bytes of an HxW, HxWx1, HxWx3 or HxWx4 uint8 array."""
    if pixels.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels, got {pixels.dtype}")
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    height, width, channels = pixels.shape
    color = {1: 0, 3: 2, 4: 6}.get(channels)
    if color is None:
        raise ValueError(f"cannot write {channels}-channel PNG")
    rows = pixels.reshape(height, width * channels)
    left = np.zeros_like(rows)
    left[:, channels:] = rows[:, :-channels]
    up = np.zeros_like(rows)
    up[1:] = rows[:-1]
    corner = np.zeros_like(rows)
    corner[1:, channels:] = rows[:-1, :-channels]
    # uint8 arithmetic wraps modulo 256, which is what the filters ask for.
    average = (left >> 1) + (up >> 1) + (left & up & 1)
    wide_left, wide_up, wide_corner = left.astype(np.int16), up.astype(np.int16), corner.astype(np.int16)
    pa = np.abs(wide_up - wide_corner)
    pb = np.abs(wide_left - wide_corner)
    pc = np.abs(wide_left + wide_up - 2 * wide_corner)
    paeth = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up, corner))
    candidates = [rows, rows - left, rows - up, rows - average, rows - paeth]
    # The usual heuristic: per row, the filter whose output has the smallest sum of |signed byte|.
    costs = np.stack([np.minimum(c, 0 - c).sum(axis=1, dtype=np.uint32) for c in candidates])
    choice = costs.argmin(axis=0)
    filtered = np.empty_like(rows)
    for kind, candidate in enumerate(candidates):
        chosen = choice == kind
        filtered[chosen] = candidate[chosen]
    body = np.concatenate([choice.astype(np.uint8)[:, None], filtered], axis=1).tobytes()
    parts = [SIGNATURE, _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0))]
    if exif:
        parts.append(_chunk(b"eXIf", exif))
    parts += [_chunk(b"IDAT", zlib.compress(body, compress_level)), _chunk(b"IEND", b"")]
    return b"".join(parts)

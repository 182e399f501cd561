"""The numpy PNG fallback: every row filter decodes, the encoder round-trips, and Pillow agrees when present."""

import io
import struct
import zlib

import numpy as np
import pytest

from iopaint_baseline import pngcodec


def _photo(height, width, channels, seed=0):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    planes = [(xx * 7 + yy * 3 + 40 * c) % 256 for c in range(channels)]
    return (np.dstack(planes) + rng.integers(0, 9, (height, width, channels))).astype(np.uint8)


def _png_with_filters(pixels, kinds):
    """A PNG written here byte by byte with the given filter type per row (reference filters, scalar code)."""
    height, width, channels = pixels.shape
    data = pixels.reshape(height, -1).astype(int)
    body = bytearray()
    for y in range(height):
        kind = kinds[y % len(kinds)]
        body.append(kind)
        for i in range(width * channels):
            a = data[y, i - channels] if i >= channels else 0
            b = data[y - 1, i] if y else 0
            c = data[y - 1, i - channels] if y and i >= channels else 0
            p = a + b - c
            paeth = a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else (b if abs(p - b) <= abs(p - c) else c)
            predictor = [0, a, b, (a + b) // 2, paeth][kind]
            body.append((data[y, i] - predictor) % 256)
    color = {1: 0, 2: 4, 3: 2, 4: 6}[channels]

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    return (pngcodec.SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(body))) + chunk(b"IEND", b""))


@pytest.mark.parametrize("kinds", [[0], [1], [2], [3], [4], [4, 0, 3, 1, 2]])
@pytest.mark.parametrize("channels", [1, 3, 4])
def test_decodes_every_row_filter(kinds, channels):
    pixels = _photo(13, 17, channels, seed=len(kinds) + channels)
    decoded, _ = pngcodec.decode(_png_with_filters(pixels, kinds))
    expected = pixels[:, :, 0] if channels == 1 else pixels
    assert np.array_equal(decoded, expected)


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_encoder_round_trips(channels):
    pixels = _photo(31, 45, channels)
    decoded, _ = pngcodec.decode(pngcodec.encode(pixels))
    assert np.array_equal(decoded.reshape(pixels.shape), pixels)


def test_rejects_what_it_cannot_read():
    with pytest.raises(pngcodec.PngError):
        pngcodec.decode(b"\xff\xd8\xff\xe0 not a png")
    sixteen_bit = _png_with_filters(_photo(2, 2, 3), [0]).replace(
        struct.pack(">IIBB", 2, 2, 8, 2), struct.pack(">IIBB", 2, 2, 16, 2))
    with pytest.raises(pngcodec.PngError):
        pngcodec.decode(sixteen_bit)


def test_agrees_with_pillow():
    image_module = pytest.importorskip("PIL.Image")
    pixels = _photo(40, 60, 3)
    out = io.BytesIO()
    image_module.fromarray(pixels).save(out, format="PNG")
    assert np.array_equal(pngcodec.decode(out.getvalue())[0], pixels)
    assert np.array_equal(np.array(image_module.open(io.BytesIO(pngcodec.encode(pixels)))), pixels)

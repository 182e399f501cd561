"""Image decoding and encoding the way IOPaint does it, with Pillow when it is installed.

Pillow gives IOPaint's exact behaviour (any format, EXIF transpose, JPEG output at the configured quality).
Without Pillow, PNG is still served: torchvision's libpng bindings when torchvision is installed, else the
numpy codec in :mod:`pngcodec`. Those back-ends read PNG only and answer JPEG input with a clear error.
"""

import io
import struct
from typing import Optional, Tuple

import numpy as np

from . import pngcodec

try:
    from PIL import Image, ImageOps, PngImagePlugin
except ImportError:  # pragma: no cover - depends on the machine
    Image = None

try:
    import torch
    from torchvision.io import decode_png as _tv_decode_png, encode_png as _tv_encode_png
except (ImportError, RuntimeError, OSError):  # pragma: no cover - depends on the machine
    _tv_decode_png = None


class ImageError(ValueError):
    """The request carries an image this server cannot read or write; answered with 400."""


def sniff_format(data: bytes) -> str:
    """The image format from its magic bytes, named as IOPaint names it; "jpeg" when unknown (as IOPaint)."""
    if data.startswith(pngcodec.SIGNATURE):
        return "png"
    if data[6:10] in (b"JFIF", b"Exif") or data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:2] in (b"MM", b"II"):
        return "tiff"
    if data.startswith(b"BM"):
        return "bmp"
    return "jpeg"


class Decoded:
    """A decoded request image: RGB (or gray) pixels, the split-off alpha channel, and metadata to carry over."""

    def __init__(self, pixels: np.ndarray, alpha: Optional[np.ndarray], info: dict):
        self.pixels, self.alpha, self.info = pixels, alpha, info


class Codec:
    """Decode and encode with one back-end, chosen once at start-up (``pillow``, ``torchvision``, ``numpy``)."""

    def __init__(self, backend: Optional[str] = None):
        available = self.available()
        self.backend = backend or available[0]
        if self.backend not in available:
            raise ValueError(f"image back-end {self.backend!r} is not available here (available: {available})")

    @staticmethod
    def available():
        names = []
        if Image is not None:
            names.append("pillow")
        if _tv_decode_png is not None:
            names.append("torchvision")
        names.append("numpy")
        return names

    def decode(self, data: bytes, gray: bool) -> Decoded:
        """RGB HxWx3 (or gray HxW when ``gray``) uint8, upright per EXIF; RGBA input gives its alpha separately."""
        try:
            if self.backend == "pillow":
                return self._decode_pillow(data, gray)
            if not data.startswith(pngcodec.SIGNATURE):
                raise ImageError("cannot decode image: not a PNG, and only PNG can be read without Pillow")
            if self.backend == "torchvision":
                pixels = _tv_decode_png(torch.frombuffer(bytearray(data), dtype=torch.uint8)).permute(1, 2, 0).numpy()
                info = {}
            else:
                pixels, info = pngcodec.decode(data)
                if pixels.ndim == 2:
                    pixels = pixels[:, :, None]
                pixels = _exif_transpose(pixels, info.get("exif"))
            return _split_channels(pixels, gray, info)
        except ImageError:
            raise
        except Exception as error:  # every decoder failure is the client's bad image
            raise ImageError(f"cannot decode image: {error}") from error

    @staticmethod
    def _decode_pillow(data: bytes, gray: bool) -> Decoded:
        image = Image.open(io.BytesIO(data))
        try:
            image = ImageOps.exif_transpose(image)
        except Exception:  # IOPaint ignores broken EXIF as well
            pass
        info = dict(image.info)
        if gray:
            return Decoded(np.array(image.convert("L")), None, info)
        if image.mode == "RGBA":
            pixels = np.array(image)
            return Decoded(np.ascontiguousarray(pixels[:, :, :3]), pixels[:, :, 3], info)
        return Decoded(np.array(image.convert("RGB")), None, info)

    def encode(self, pixels: np.ndarray, fmt: str, quality: int, info: dict) -> bytes:
        """Bytes of HxWx3/4 uint8 ``pixels`` in ``fmt`` (the input's format, as IOPaint answers)."""
        if self.backend == "pillow":
            options = {k: v for k, v in info.items() if v is not None and isinstance(k, str)}
            fmt = "jpeg" if fmt == "jpg" else fmt
            if fmt == "png" and "parameters" in options:
                text = PngImagePlugin.PngInfo()
                text.add_text("parameters", options["parameters"])
                options["pnginfo"] = text
            image = Image.fromarray(pixels)
            if fmt == "jpeg" and image.mode == "RGBA":
                image = image.convert("RGB")
            out = io.BytesIO()
            try:
                image.save(out, format=fmt, quality=quality, **options)
            except (KeyError, ValueError, OSError, TypeError):
                # Metadata Pillow can read but not write back for this format: drop it rather than fail.
                out = io.BytesIO()
                image.save(out, format=fmt, quality=quality)
            return out.getvalue()
        if fmt != "png":
            raise ImageError(f"only PNG can be written without Pillow (asked for {fmt})")
        if self.backend == "torchvision":
            return _tv_encode_png(torch.from_numpy(np.ascontiguousarray(pixels)).permute(2, 0, 1).contiguous(),
                                  compression_level=6).numpy().tobytes()
        return pngcodec.encode(pixels)


def _split_channels(pixels: np.ndarray, gray: bool, info: dict) -> Decoded:
    channels = pixels.shape[2]
    color = pixels[:, :, :3] if channels >= 3 else np.repeat(pixels[:, :, :1], 3, axis=2)
    if gray:
        if channels < 3:
            return Decoded(np.ascontiguousarray(pixels[:, :, 0]), None, info)
        # ITU-R 601-2 luma with rounding, the conversion Pillow's convert("L") uses.
        weights = np.array([19595, 38470, 7471], dtype=np.uint32)
        luma = (color.astype(np.uint32) @ weights + 0x8000) >> 16
        return Decoded(luma.astype(np.uint8), None, info)
    alpha = pixels[:, :, 3] if channels == 4 else None
    return Decoded(np.ascontiguousarray(color), alpha, info)


def _exif_transpose(pixels: np.ndarray, exif: Optional[bytes]) -> np.ndarray:
    """Applies the EXIF orientation tag (1..8) of a PNG eXIf chunk; no tag or bad EXIF leaves it as is."""
    orientation = _exif_orientation(exif) if exif else None
    if orientation in (None, 1):
        return pixels
    steps = {2: lambda p: p[:, ::-1], 3: lambda p: p[::-1, ::-1], 4: lambda p: p[::-1],
             5: lambda p: p.transpose(1, 0, 2), 6: lambda p: np.rot90(p, -1),
             7: lambda p: np.rot90(p, 1)[:, ::-1], 8: lambda p: np.rot90(p, 1)}
    step = steps.get(orientation)
    return np.ascontiguousarray(step(pixels)) if step else pixels


def _exif_orientation(exif: bytes) -> Optional[int]:
    try:
        if exif.startswith(b"Exif\x00\x00"):
            exif = exif[6:]
        order = {b"II": "<", b"MM": ">"}[exif[:2]]
        (offset,) = struct.unpack(order + "I", exif[4:8])
        (count,) = struct.unpack(order + "H", exif[offset:offset + 2])
        for i in range(count):
            entry = exif[offset + 2 + 12 * i:offset + 14 + 12 * i]
            tag, kind, _, value = struct.unpack(order + "HHI4s", entry)
            if tag == 0x0112:
                return struct.unpack(order + "H", value[:2])[0]
    except (KeyError, struct.error, IndexError):
        return None
    return None

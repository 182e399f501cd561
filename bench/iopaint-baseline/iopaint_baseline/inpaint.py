"""IOPaint's LaMa request path, reproduced: high-resolution strategy, mod-8 padding, FP32 batch-1 forward,
keeping the unmasked area.

Pixel arrays are RGB throughout. (IOPaint's model returns BGR and the API converts it back; the two
conversions cancel, so they are left out.)
"""

import threading
import time
from dataclasses import dataclass
from typing import List, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from .components import cv2, outer_boxes

PAD_MODULO = 8


@dataclass
class HdSettings:
    """The request fields LaMa reads, with IOPaint's defaults."""
    strategy: str = "Crop"
    crop_trigger_size: int = 800
    crop_margin: int = 128
    resize_limit: int = 1280
    keep_unmasked_area: bool = True


class Timeline:
    """Start and end times of recent forward passes (for analysis and tests); thread-safe, bounded."""

    def __init__(self, capacity: int = 4096):
        self._lock = threading.Lock()
        self._spans: List[Tuple[float, float, str]] = []
        self._capacity = capacity

    def record(self, start: float, end: float) -> None:
        with self._lock:
            self._spans.append((start, end, threading.current_thread().name))
            del self._spans[:-self._capacity]

    def spans(self) -> List[Tuple[float, float, str]]:
        with self._lock:
            return list(self._spans)


class LamaInpainting:
    """Runs one request's inpainting on ``model`` (the composited LaMa: image, mask -> 0..255).

    Deliberately without any lock: as in IOPaint, concurrent requests call the model at the same time.
    """

    def __init__(self, model: torch.nn.Module, device: torch.device):
        self.model = model
        self.device = device
        self.timeline = Timeline()

    @torch.inference_mode()
    def __call__(self, image: np.ndarray, mask: np.ndarray, settings: HdSettings) -> np.ndarray:
        """``image`` HxWx3 uint8 RGB, ``mask`` HxW uint8 with 255 = fill -> HxWx3 uint8 RGB."""
        longest = max(image.shape)
        if settings.strategy == "Crop" and longest > settings.crop_trigger_size:
            return self._crop(image, mask, settings)
        if settings.strategy == "Resize" and longest > settings.resize_limit:
            return self._resize(image, mask, settings)
        return self._pad_forward(image, mask, settings)

    def _crop(self, image, mask, settings):
        result = image.copy()
        # All boxes are run first, then pasted in order: later crops overwrite earlier ones where they overlap.
        pieces = [self._run_box(image, mask, box, settings) for box in outer_boxes(mask)]
        for piece, (left, top, right, bottom) in pieces:
            result[top:bottom, left:right] = piece
        return result

    def _run_box(self, image, mask, box, settings):
        left, top, right, bottom = crop_around(box, settings.crop_margin, image.shape[1], image.shape[0])
        piece = self._pad_forward(image[top:bottom, left:right], mask[top:bottom, left:right], settings)
        return piece, (left, top, right, bottom)

    def _resize(self, image, mask, settings):
        height, width = image.shape[:2]
        ratio = settings.resize_limit / max(height, width)
        size = (int(height * ratio + 0.5), int(width * ratio + 0.5))
        small = self._pad_forward(_cubic(image, size), _cubic(mask[:, :, None], size)[:, :, 0], settings)
        result = _cubic(small, (height, width))
        keep = mask < 127
        result[keep] = image[keep]
        return result

    def _pad_forward(self, image, mask, settings):
        height, width = image.shape[:2]
        padded_image = _pad_to_modulo(image)
        padded_mask = _pad_to_modulo(mask)
        result = self._forward(padded_image, padded_mask)[:height, :width]
        if settings.keep_unmasked_area:
            weight = mask[:, :, None] / 255.0
            result = (result * weight + image * (1.0 - weight)).astype(np.uint8)
        return result

    def _forward(self, image: np.ndarray, mask: np.ndarray) -> np.ndarray:
        started = time.perf_counter()
        image_t = torch.from_numpy(image.transpose(2, 0, 1).astype(np.float32) / 255.0).unsqueeze(0)
        mask_t = torch.from_numpy((mask > 0).astype(np.float32)).unsqueeze(0).unsqueeze(0)
        output = self.model(image_t.to(self.device), mask_t.to(self.device))
        # clip(x * 255) then truncation to uint8, as IOPaint does; the model already clamps to 0..255.
        pixels = output[0].permute(1, 2, 0).cpu().numpy().astype(np.uint8)
        self.timeline.record(started, time.perf_counter())
        return pixels


def crop_around(box, margin: int, width: int, height: int):
    """The crop IOPaint runs for one mask box: the box plus ``margin`` on each side, centred on the box,
    clamped to the image; a side cut by an image edge is made up on the opposite side where there is room."""
    left, top, right, bottom = box
    centre_x, centre_y = (left + right) // 2, (top + bottom) // 2
    crop_w, crop_h = right - left + 2 * margin, bottom - top + 2 * margin
    want_l, want_r = centre_x - crop_w // 2, centre_x + crop_w // 2
    want_t, want_b = centre_y - crop_h // 2, centre_y + crop_h // 2
    l, r, t, b = max(want_l, 0), min(want_r, width), max(want_t, 0), min(want_b, height)
    if want_l < 0:
        r += -want_l
    if want_r > width:
        l -= want_r - width
    if want_t < 0:
        b += -want_t
    if want_b > height:
        t -= want_b - height
    return max(l, 0), max(t, 0), min(r, width), min(b, height)


def _pad_to_modulo(array: np.ndarray) -> np.ndarray:
    height, width = array.shape[:2]
    pad_h, pad_w = -height % PAD_MODULO, -width % PAD_MODULO
    if not pad_h and not pad_w:
        return array
    spec = [(0, pad_h), (0, pad_w)] + [(0, 0)] * (array.ndim - 2)
    return np.pad(array, spec, mode="symmetric")


def _cubic(array: np.ndarray, size) -> np.ndarray:
    """Bicubic resize of an HxWxC uint8 array to ``size`` (height, width): OpenCV's INTER_CUBIC as IOPaint,
    or without OpenCV PyTorch's bicubic (the same kernel, a = -0.75, and half-pixel centres)."""
    if cv2 is not None:
        resized = cv2.resize(array, (size[1], size[0]), interpolation=cv2.INTER_CUBIC)
        return resized.reshape(size[0], size[1], -1)
    tensor = torch.from_numpy(np.ascontiguousarray(array).transpose(2, 0, 1)).unsqueeze(0).float()
    resized = F.interpolate(tensor, size=size, mode="bicubic", align_corners=False)
    return resized[0].permute(1, 2, 0).round().clamp(0, 255).to(torch.uint8).numpy()

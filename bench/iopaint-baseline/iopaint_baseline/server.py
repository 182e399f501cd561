"""The HTTP side: IOPaint's endpoints on the Python standard library.

Concurrency is shaped like IOPaint under uvicorn: connections are read and answered by their own threads
(uvicorn's event loop never limits how many connections are open), while the inpainting handler itself runs
in a pool of 40 worker threads, the token count of the thread pool Starlette uses for sync ``def`` endpoints.
Nothing serialises requests around the model.
"""

import base64
import binascii
import gc
import json
import logging
import random
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn
from typing import Dict, Optional, Tuple

import numpy as np
import torch

from .codec import Codec, ImageError, sniff_format
from .inpaint import HdSettings, LamaInpainting

log = logging.getLogger("iopaint_baseline")

HANDLER_THREADS = 40  # anyio's default thread limiter: 40 tokens
HD_STRATEGIES = ("Original", "Resize", "Crop")


class RequestError(Exception):
    """A request the server refuses, with the HTTP status and a message saying what was wrong."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class MemoryRelease:
    """IOPaint's ``torch_gc()`` after every request: ``torch.cuda.empty_cache()`` and ``ipc_collect()`` when
    CUDA is available, then ``gc.collect()``. ``calls`` counts the releases (all threads)."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self) -> None:
        if not self.enabled:
            return
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
            torch.cuda.ipc_collect()
        gc.collect()
        with self._lock:
            self.calls += 1


def _strip_data_url(text: str) -> str:
    # IOPaint strips "data:image/...;base64," and "data:application/octet-stream;base64," prefixes.
    if text.startswith("data:image/") or text.startswith("data:application/octet-stream;base64,"):
        return text.split(";", 1)[1].split(",", 1)[1]
    return text


def _base64_field(body: dict, name: str) -> bytes:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise RequestError(422, f"field '{name}' must be a base64 image string")
    try:
        return base64.b64decode(_strip_data_url(value))
    except (binascii.Error, ValueError) as error:
        raise RequestError(400, f"field '{name}' is not valid base64: {error}") from error


def _settings(body: dict) -> HdSettings:
    defaults = HdSettings()
    try:
        settings = HdSettings(
            strategy=str(body.get("hd_strategy", defaults.strategy)),
            crop_trigger_size=int(body.get("hd_strategy_crop_trigger_size", defaults.crop_trigger_size)),
            crop_margin=int(body.get("hd_strategy_crop_margin", defaults.crop_margin)),
            resize_limit=int(body.get("hd_strategy_resize_limit", defaults.resize_limit)),
            keep_unmasked_area=bool(body.get("sd_keep_unmasked_area", defaults.keep_unmasked_area)))
    except (TypeError, ValueError) as error:
        raise RequestError(422, f"invalid high-resolution strategy field: {error}") from error
    if settings.strategy not in HD_STRATEGIES:
        raise RequestError(422, f"hd_strategy must be one of {', '.join(HD_STRATEGIES)}, got {settings.strategy!r}")
    return settings


class InpaintService:
    """``POST /api/v1/inpaint`` without the HTTP: JSON body in, (image bytes, media type, seed) out."""

    def __init__(self, inpainting: LamaInpainting, codec: Codec, quality: int = 100,
                 release: Optional[MemoryRelease] = None):
        self.inpainting = inpainting
        self.codec = codec
        self.quality = quality
        self.release = release or MemoryRelease()

    def inpaint(self, body: dict) -> Tuple[bytes, str, int]:
        started = time.perf_counter()
        image_bytes = _base64_field(body, "image")
        mask_bytes = _base64_field(body, "mask")
        settings = _settings(body)
        try:
            seed = int(body.get("sd_seed", 42))
        except (TypeError, ValueError) as error:
            raise RequestError(422, f"sd_seed must be an integer: {error}") from error
        if seed == -1:
            seed = random.randint(1, 99999999)
        try:
            image = self.codec.decode(image_bytes, gray=False)
            mask = self.codec.decode(mask_bytes, gray=True).pixels
        except ImageError as error:
            raise RequestError(400, str(error)) from error
        mask = ((mask > 127) * 255).astype("uint8")
        if image.pixels.shape[:2] != mask.shape[:2]:
            raise RequestError(400, f"Image size({image.pixels.shape[:2]}) and mask size({mask.shape[:2]}) not match.")
        decoded = time.perf_counter()
        result = self.inpainting(image.pixels, mask, settings)
        inferred = time.perf_counter()
        self.release()
        released = time.perf_counter()
        if image.alpha is not None:
            result = np.dstack([result, image.alpha])
        fmt = sniff_format(image_bytes)
        try:
            encoded = self.codec.encode(result, fmt, self.quality, image.info)
        except ImageError as error:
            raise RequestError(400, str(error)) from error
        if log.isEnabledFor(logging.DEBUG):
            log.debug("inpaint %dx%d: decode %.1f ms, model %.1f ms, release %.1f ms, encode %.1f ms",
                      result.shape[1], result.shape[0], (decoded - started) * 1e3, (inferred - decoded) * 1e3,
                      (released - inferred) * 1e3, (time.perf_counter() - released) * 1e3)
        return encoded, f"image/{fmt}", seed


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as uvicorn
    server: "BaselineServer"

    def setup(self):
        super().setup()
        # asyncio (uvicorn) sets TCP_NODELAY on every connection; without it Nagle meets delayed ACKs.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        log.debug("%s %s", self.address_string(), fmt % args)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/health":
            self._json(200, {"status": "ok"})
        elif path == "/api/v1/model":
            self._json(200, self.server.model_info)
        elif path == "/api/v1/server-config":
            self._json(200, {
                "plugins": [], "modelInfos": [self.server.model_info], "removeBGModel": None,
                "removeBGModels": [], "realesrganModel": None, "realesrganModels": [],
                "interactiveSegModel": None, "interactiveSegModels": [], "enableFileManager": False,
                "enableAutoSaving": False, "enableControlnet": False, "controlnetMethod": None,
                "disableModelSwitch": True, "isDesktop": False, "samplers": []})
        else:
            self._json(404, {"detail": "Not Found"})

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        try:
            body = self._read_body()
            if path != "/api/v1/inpaint":
                self._json(404, {"detail": "Not Found"})
                return
            try:
                request = json.loads(body)
            except (UnicodeDecodeError, ValueError) as error:
                raise RequestError(422, f"request body is not valid JSON: {error}") from error
            if not isinstance(request, dict):
                raise RequestError(422, "request body must be a JSON object")
            image, media_type, seed = self.server.executor.submit(self.server.service.inpaint, request).result()
        except RequestError as error:
            self._error(error.status, error)
            return
        except Exception as error:  # noqa: BLE001 - any other failure is the server's: 500, as IOPaint
            log.exception("inpaint failed")
            self._error(500, error)
            return
        self._send(200, media_type, image, {"X-Seed": str(seed)})

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            self.close_connection = True
            raise RequestError(411, "Content-Length is required")
        return self.rfile.read(int(length))

    def _error(self, status: int, error: Exception):
        name = "HTTPException" if isinstance(error, RequestError) else type(error).__name__
        self._json(status, {"error": name, "detail": str(error), "errors": str(error)})

    def _json(self, status: int, payload: Dict):
        self._send(status, "application/json", json.dumps(payload).encode(), {})

    def _send(self, status: int, media_type: str, body: bytes, headers: Dict[str, str]):
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class BaselineServer(ThreadingMixIn, HTTPServer):
    """One thread per connection for I/O; inpainting in a 40-thread pool; ``close()`` stops both."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, service: InpaintService, model_info: Dict, handler_threads: int = HANDLER_THREADS):
        super().__init__(address, _Handler)
        self.service = service
        self.model_info = model_info
        self.executor = ThreadPoolExecutor(max_workers=handler_threads, thread_name_prefix="handler")

    @property
    def port(self) -> int:
        return self.server_address[1]

    def close(self) -> None:
        self.shutdown()
        self.server_close()
        self.executor.shutdown(wait=True)


def model_info() -> Dict:
    """IOPaint's ``ModelInfo`` for LaMa, as ``GET /api/v1/model`` answers it."""
    return {"name": "lama", "path": "lama", "model_type": "inpaint", "is_single_file_diffusers": False,
            "need_prompt": False, "controlnets": [], "brushnets": [], "support_strength": False,
            "support_outpainting": False, "support_lcm_lora": False, "support_controlnet": False,
            "support_brushnet": False, "support_powerpaint_v2": False}
